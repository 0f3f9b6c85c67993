package cli

import (
	"strings"
	"testing"

	"github.com/redis-memtop/redis-memtop/app"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// fake80 is a fake Redis 8.0 with INFO KEYSIZES: 7.4.1's captured INFO,
// announcing 8.0.2, with a keysizes section (no build here has it).
func fake80(t *testing.T) *redistest.FakeServer {
	t.Helper()
	sec, order := redistest.SectionsOf(redistest.InfoCapture(t, "redis-7.4.1-full-localcapture.txt"))
	sec["server"] = strings.Replace(sec["server"], "redis_version:7.4.1", "redis_version:8.0.2", 1)
	sec["keyspace"] = "# Keyspace\r\ndb0:keys=3,expires=0,avg_ttl=0\r\n"
	sec["keysizes"] = "# Keysizes\r\ndb0_distrib_strings_sizes:2=1,4=1,1K=1\r\ndb0_distrib_lists_items:16=1\r\n"
	order = append(order, "keysizes")
	return redistest.StartFake(t, redistest.FakeScript{
		Sections: sec, Order: order, Plain: order, Multi: true, Everything: true,
		Keys: []redistest.FakeKey{
			{Name: "a", Type: "string", Enc: "embstr", Bytes: 56, Length: 3, TTL: -1},
			{Name: "big:b", Type: "string", Enc: "raw", Bytes: 1100, Length: 1024, TTL: -1},
			{Name: "l", Type: "list", Enc: "listpack", Bytes: 200, Length: 16, TTL: -1},
		},
	})
}

// Issue 17, item 5: on a server with INFO KEYSIZES the big-keys pane shows
// the histograms before the scan has sized a key, through the monitor's
// own wiring; once keys are sized the table takes over and the types view
// keeps the histograms. The report writes them too.
func TestKeySizesShownBeforeTheScan(t *testing.T) {
	f := fake80(t)
	o := redisx.DefaultOptions()
	o.Addr = f.Addr
	r := startLive(t, connectMain(t, o), rigOptions{scan: &app.ScanConfig{}, w: 160, h: 50})
	r.until("the INFO KEYSIZES histograms", func(m ui.Model) bool {
		s := m.Live().Scan
		return s != nil && s.KeySizes != nil
	})
	if bk := r.m.Live().Scan.Best(); bk != nil && bk.Keys > 0 {
		t.Fatalf("the scan had sized %d keys before the histograms came", bk.Keys)
	}
	frame := r.frame()
	for _, want := range []string{"INFO KEYSIZES", "db0 lists_items 1: 16:1", "db0 strings_sizes 3: 2B:1 4B:1 1.00K:1"} {
		if !strings.Contains(frame, want) {
			t.Errorf("before the scan, the big-keys pane lacks %q:\n%s", want, frame)
		}
	}
	if strings.Contains(frame, "no keys sized yet") {
		t.Errorf("the pane says nothing is known while the server's histograms are:\n%s", frame)
	}

	r.until("the pass", scanDone)
	frame = r.frame()
	if strings.Contains(frame, "INFO KEYSIZES") || !strings.Contains(frame, "big:b") {
		t.Errorf("after the pass the key table should replace the histograms:\n%s", frame)
	}
	for r.m.Focused() != ui.PaneBigKeys {
		r.press("tab")
	}
	r.press("v")
	r.press("v") // keys → prefixes → types
	if frame := r.frame(); !strings.Contains(frame, "INFO KEYSIZES") || !strings.Contains(frame, "db0 lists_items 1: 16:1") {
		t.Errorf("the types view lacks the histograms:\n%s", frame)
	}

	code, md, errOut := runCLI(t, "report", "--quick", "--scan", "--interval", "100ms", "redis://"+f.Addr)
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"### INFO KEYSIZES", `| 0 | lists_items | 1 | 16=1 |`, `| 0 | strings_sizes | 3 | 2=1, 4=1, 1024=1 |`} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q:\n%s", want, md)
		}
	}
}
