package redisx

import (
	"strings"
	"testing"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
)

// INFO KEYSIZES (Redis 8.0 GA) has no build on this machine (the 8.0-m01
// milestone predates it), so its path is kept tested here: a fake server
// with 7.4.1's INFO, announcing 8.0.2 and a keysizes section, and a scan
// that must hand the histograms on. The matrix's real 8.0-m01 pass proves
// the other side: no section, no histograms, no error.
func TestScanReadsKeySizesFromAFake80(t *testing.T) {
	sec, order := redistest.SectionsOf(redistest.InfoCapture(t, "redis-7.4.1-full-localcapture.txt"))
	sec["server"] = strings.Replace(sec["server"], "redis_version:7.4.1", "redis_version:8.0.2", 1)
	sec["keyspace"] = "# Keyspace\r\ndb0:keys=3,expires=0,avg_ttl=0\r\n"
	sec["keysizes"] = "# Keysizes\r\ndb0_distrib_strings_sizes:2=1,4=1,1K=1\r\ndb0_distrib_lists_items:16=1\r\n"
	order = append(order, "keysizes")
	f := redistest.StartFake(t, redistest.FakeScript{
		Sections: sec, Order: order, Plain: order, Multi: true, Everything: true,
		Keys: []redistest.FakeKey{
			{Name: "a", Type: "string", Enc: "embstr", Bytes: 56, Length: 3, TTL: -1},
			{Name: "b", Type: "string", Enc: "raw", Bytes: 1100, Length: 1024, TTL: -1},
			{Name: "l", Type: "list", Enc: "listpack", Bytes: 200, Length: 16, TTL: -1},
		},
	})
	c := redistest.Client(t, f.Addr)
	st := finalState(t, runScan(scanCtx(t), t, NewScanWorker(c, ScanOptions{Once: true})))
	if st.KeySizes == nil {
		t.Fatal("no INFO KEYSIZES histograms after a pass against an 8.0 server")
	}
	got := map[string]int{}
	for _, h := range st.KeySizes.Hists {
		got[h.Kind] = len(h.Buckets)
	}
	if got["strings_sizes"] != 3 || got["lists_items"] != 1 {
		t.Errorf("histograms %+v, want strings_sizes with 3 buckets and lists_items with 1", st.KeySizes.Hists)
	}
	if st.Result.Keys != 3 {
		t.Errorf("the pass aggregated %d keys, want 3", st.Result.Keys)
	}
}
