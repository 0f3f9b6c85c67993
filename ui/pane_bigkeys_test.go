package ui

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/themes"
)

// Hostile and awkward key names the table must draw as text, aligned.
const (
	bkOSC    = "\x1b]0;owned\x07"
	bkWide   = "用户:1001:资料"
	bkInvali = "bin\xff\xfe:blob"
	bkBidi   = "evil\u202eexe.txt"
)

var bkT0 = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// bkState is a scan in progress over a small keyspace with every kind of key.
func bkState(phase model.ScanPhase) *model.ScanState {
	prevAgg := model.NewBigKeysAgg(model.BigKeysConfig{}, nil)
	prevAgg.Add(&model.KeyInfo{Key: "feed:42", Type: "list", Encoding: "quicklist", Bytes: 300_000, Elements: 9000, TTL: -1})
	prev := prevAgg.Snapshot()
	a := model.NewBigKeysAgg(model.BigKeysConfig{}, prev)
	add := func(name, typ, enc string, b, el, ttl int64, db int) {
		a.Add(&model.KeyInfo{Key: name, DB: db, Type: typ, Encoding: enc, Bytes: b, Elements: el, TTL: ttl})
	}
	add("big:hash:users", "hash", "hashtable", 6_648_688, 100_000, -1, 0)
	add("big:list:timeline", "list", "quicklist", 2_510_872, 200_000, -1, 0)
	add("big:string:blob", "string", "raw", 1_310_792, -1, -1, 0)
	add("feed:42", "list", "quicklist", 450_000, 12_000, -1, 0)
	add(bkOSC, "string", "raw", 120_000, -1, 3600, 0)
	add(bkWide, "hash", "listpack", 90_000, 40, 7200, 1)
	add(bkInvali, "string", "raw", 80_000, -1, 90_000, 1)
	add(bkBidi, "string", "embstr", 60, -1, 30, 0)
	add(strings.Repeat("very-long-key-name:", 20), "zset", "skiplist", 70_000, 900, 700_000, 2)
	for i := range 40 {
		add(fmt.Sprintf("user:%d:profile", 1000+i), "hash", "listpack", int64(200+i*7), int64(3+i%5), int64(i*4000)-1, 0)
		add(fmt.Sprintf("session:%08x", i*7919), "string", "embstr", 90, -1, 1800, 0)
	}
	st := &model.ScanState{Prev: prev, Result: a.Snapshot()}
	st.Progress = model.ScanProgress{
		Phase: phase, Pass: 2, Scanned: 450_000, DBSize: 1_000_000, KeysPerSec: 123_400,
		StartedAt: bkT0.Add(-5 * time.Second), Elapsed: 5 * time.Second, Rate: 5000, Throttle: 1, Samples: 5, DBs: []int{0, 1, 2},
	}
	if phase == model.ScanDone {
		st.Progress.Scanned, st.Progress.DoneAt = 1_000_000, bkT0
	}
	return st
}

func bkData(st *model.ScanState) *Data {
	return &Data{Hist: model.NewHistory(10), Now: bkT0, DataExt: DataExt{Scan: st}}
}

// keysPress types a sequence of keys into the pane.
func keysPress(p Pane, d *Data, keys ...string) {
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "enter":
			msg = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "esc":
			msg = tea.KeyPressMsg{Code: tea.KeyEscape}
		case "down":
			msg = tea.KeyPressMsg{Code: tea.KeyDown}
		case "backspace":
			msg = tea.KeyPressMsg{Code: tea.KeyBackspace}
		default:
			msg = redistest.Key(k)
		}
		p.HandleKey(msg, d)
	}
}

func renderBK(t *testing.T, p Pane, d *Data, w, h int) string {
	t.Helper()
	st := themes.NewStyles(themes.Dark())
	frame := p.Render(d, st, w, h, true)
	checkFrame(t, frame, w, h)
	return frame
}

// TestBigKeysGolden renders the pane at the sizes it gets in an 80×24 and a
// 120×40 terminal (and expanded), in each view.
func TestBigKeysGolden(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		phase model.ScanPhase
		keys  []string
	}{
		{"keys", model.ScanScanning, nil},
		{"paused", model.ScanPaused, nil},
		{"done", model.ScanDone, nil},
		{"sort-elements", model.ScanScanning, []string{"o"}},
		{"filter", model.ScanScanning, []string{"/", "u", "s", "e", "r", "enter"}},
		{"detail", model.ScanScanning, []string{"down", "enter"}},
		{"prefixes", model.ScanScanning, []string{"v"}},
		{"types", model.ScanScanning, []string{"v", "v"}},
		{"ttl", model.ScanScanning, []string{"v", "v", "v"}},
		{"growth", model.ScanDone, []string{"v", "v", "v", "v"}},
	}
	for _, sz := range [][2]int{{80, 14}, {80, 24}, {120, 22}, {120, 40}} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%dx%d/%s", sz[0], sz[1], c.name), func(t *testing.T) {
				t.Parallel()
				p := NewBigKeysPane()
				d := bkData(bkState(c.phase))
				keysPress(p, d, c.keys...)
				golden.RequireEqual(t, ansi.Strip(renderBK(t, p, d, sz[0], sz[1])))
			})
		}
	}
}

var sgrRE = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// TestBigKeysHostileNames: no raw control reaches the frame, the escaped
// names are there as text, and the table columns stay aligned whatever the
// names (double width, invalid UTF-8, bidi overrides), at every width.
func TestBigKeysHostileNames(t *testing.T) {
	t.Parallel()
	for w := 24; w <= 200; w += 7 {
		for _, h := range []int{3, 6, 9, 14, 30} {
			for _, view := range []int{0, 1, 2, 3, 4} {
				p := NewBigKeysPane()
				d := bkData(bkState(model.ScanScanning))
				for range view {
					keysPress(p, d, "v")
				}
				frame := renderBK(t, p, d, w, h)
				rest := sgrRE.ReplaceAllString(frame, "")
				if i := strings.IndexFunc(rest, func(r rune) bool { return r == 0x1b || r == 0x07 || r == 0x9b || r == 0x202e }); i >= 0 {
					t.Fatalf("%dx%d view %d: raw control at %d: %q", w, h, view, i, rest[max(i-20, 0):min(i+20, len(rest))])
				}
			}
		}
	}
	p := NewBigKeysPane()
	d := bkData(bkState(model.ScanScanning))
	plain := ansi.Strip(renderBK(t, p, d, 120, 100))
	for _, want := range []string{`\x1b]0;owned\x07`, `bin\xff\xfe:blob`, `evil\u202eexe.txt`, bkWide} {
		if !strings.Contains(plain, want) {
			t.Errorf("frame lacks %q:\n%s", want, plain)
		}
	}
	// Alignment: in every row the bytes column sits at the same cells and
	// holds a size.
	for _, w := range []int{60, 80, 100, 120, 160} {
		cols := keyColumns(w - 2)
		start := 1 + 2 // the border, then the pointer column
		var bytesCol column
		for _, c := range cols {
			if c.title == "bytes" {
				bytesCol = c
				break
			}
			start += c.w + 1
		}
		lines := strings.Split(ansi.Strip(renderBK(t, NewBigKeysPane(), bkData(bkState(model.ScanScanning)), w, 40)), "\n")
		rows := 0
		sizeRE := regexp.MustCompile(`^ *[0-9.]+[BKMGT]$`)
		for _, l := range lines[3 : len(lines)-2] {
			cell := ansi.Cut(l, start, start+bytesCol.w)
			if !sizeRE.MatchString(cell) {
				t.Errorf("width %d: bytes cell %q misaligned in %q", w, cell, l)
			}
			rows++
		}
		if rows < 10 {
			t.Errorf("width %d: only %d rows checked", w, rows)
		}
	}
}

func TestBigKeysKeys(t *testing.T) {
	t.Parallel()
	p := NewBigKeysPane().(*bigKeysPane)
	d := bkData(bkState(model.ScanScanning))
	first := func() string { return p.keyRows(d)[0].Key }
	if first() != "big:hash:users" {
		t.Fatalf("first by bytes = %q", first())
	}
	keysPress(p, d, "o")
	if first() != "big:list:timeline" || p.sort != sortElements {
		t.Errorf("first by elements = %q", first())
	}
	keysPress(p, d, "o") // TTL: keys without expiry first, then the longest
	if k := p.keyRows(d)[0]; k.TTL != -1 {
		t.Errorf("first by TTL has ttl %d", k.TTL)
	}
	// The selection follows its key across a re-sort.
	keysPress(p, d, "o", "o", "o", "o") // back to bytes
	keysPress(p, d, "down", "down")
	sel := p.keyRows(d)[p.sel].Key
	keysPress(p, d, "o")
	_ = renderBK(t, p, d, 120, 30)
	if got := p.keyRows(d)[p.sel].Key; got != sel {
		t.Errorf("selection moved from %q to %q on re-sort", sel, got)
	}

	// Filter: / captures every key (even q and s) until enter; esc clears.
	f := NewBigKeysPane().(*bigKeysPane)
	keysPress(f, d, "/")
	if !f.CapturesInput() {
		t.Fatal("/ does not capture input")
	}
	keysPress(f, d, "s", "e", "s", "s", "x", "backspace", "enter")
	if f.CapturesInput() || f.filter != "sess" {
		t.Fatalf("filter = %q capturing %v", f.filter, f.CapturesInput())
	}
	rows := f.keyRows(d)
	if len(rows) != 40 || !strings.HasPrefix(rows[0].Key, "session:") {
		t.Errorf("filtered rows: %d, first %q", len(rows), rows[0].Key)
	}
	keysPress(f, d, "esc")
	if f.filter != "" || len(f.keyRows(d)) < 80 {
		t.Errorf("esc did not clear the filter: %q", f.filter)
	}
	// The filter matches what is drawn: the escaped name.
	keysPress(f, d, "/", `\`, "x", "1", "b", "enter")
	if rows := f.keyRows(d); len(rows) != 1 || rows[0].Key != bkOSC {
		t.Errorf("filter on the escaped name: %v", rows)
	}

	// Detail view of the selected key, and back.
	g := NewBigKeysPane().(*bigKeysPane)
	keysPress(g, d, "enter")
	frame := ansi.Strip(renderBK(t, g, d, 100, 30))
	for _, want := range []string{"big:hash:users", "hashtable", "6.34M", "6648688 bytes", "100.0k", "none", "MEMORY USAGE 'big:hash:users' SAMPLES 5"} {
		if !strings.Contains(frame, want) {
			t.Errorf("detail lacks %q:\n%s", want, frame)
		}
	}
	keysPress(g, d, "esc")
	if g.detail {
		t.Error("esc did not close the detail view")
	}
	if handled, _ := g.HandleKey(tea.KeyPressMsg{Code: tea.KeyEscape}, d); handled {
		t.Error("esc with nothing to close should go to the root")
	}
}

func TestBigKeysViewsAddUp(t *testing.T) {
	t.Parallel()
	p := NewBigKeysPane()
	d := bkData(bkState(model.ScanScanning))
	keysPress(p, d, "v")
	prefixes := ansi.Strip(renderBK(t, p, d, 120, 60))
	for _, want := range []string{"user:", "user:*:", "user:*:profile", "session:", "big:", "share"} {
		if !strings.Contains(prefixes, want) {
			t.Errorf("prefix view lacks %q:\n%s", want, prefixes)
		}
	}
	keysPress(p, d, "v")
	types := ansi.Strip(renderBK(t, p, d, 120, 40))
	for _, want := range []string{"hash", "listpack", "hashtable", "quicklist", "string"} {
		if !strings.Contains(types, want) {
			t.Errorf("type view lacks %q", want)
		}
	}
	keysPress(p, d, "v")
	ttl := ansi.Strip(renderBK(t, p, d, 120, 40))
	for _, want := range []string{"no expiry", "< 1h", "> 7d", "key sizes"} {
		if !strings.Contains(ttl, want) {
			t.Errorf("TTL view lacks %q", want)
		}
	}
	keysPress(p, d, "v")
	growth := ansi.Strip(renderBK(t, p, d, 120, 40))
	if !strings.Contains(growth, "feed:42") || !strings.Contains(growth, "+146") {
		t.Errorf("growth view:\n%s", growth)
	}
}

func TestBigKeysProgressLine(t *testing.T) {
	t.Parallel()
	st := themes.NewStyles(themes.Dark())
	cases := []struct {
		phase model.ScanPhase
		want  []string
	}{
		{model.ScanScanning, []string{"scanning", "45%", "450.0k/1.0M keys", "123.4k keys/s", "ETA 4.4s"}},
		{model.ScanPaused, []string{"paused", "45%", "s resumes"}},
		{model.ScanDone, []string{"done at 09:26:53", "1.0M keys in 5.0s", "pass 2"}},
	}
	for _, c := range cases {
		line := ansi.Strip(scanStateText(bkState(c.phase), st, 120, true))
		for _, w := range c.want {
			if !strings.Contains(line, w) {
				t.Errorf("%s: %q lacks %q", c.phase, line, w)
			}
		}
	}
	failed := bkState(model.ScanScanning)
	failed.Progress.Phase, failed.Progress.Err = model.ScanFailed, "dial: refused"+bkOSC
	if line := ansi.Strip(scanStateText(failed, st, 120, true)); !strings.Contains(line, `refused\x1b]0;owned\x07`) || !strings.Contains(line, "stopped") {
		t.Errorf("error line of a worker that gave up = %q", line)
	}
	// The worker says when it tries again; the line gives that time.
	failed.Progress.RetryAt = time.Date(2026, 11, 21, 14, 2, 15, 0, time.UTC)
	if line := ansi.Strip(scanStateText(failed, st, 120, true)); !strings.Contains(line, "retry at 14:02:15") {
		t.Errorf("error line = %q", line)
	}
	if line := ansi.Strip(scanStateText(nil, st, 80, true)); !strings.Contains(line, "no scan") {
		t.Errorf("nil scan line = %q", line)
	}
	for w := 1; w < 130; w++ {
		if got := ansi.StringWidth(scanStateText(bkState(model.ScanScanning), st, w, true)); got > w {
			t.Fatalf("progress line is %d cells at width %d", got, w)
		}
	}
}

type fakeScan struct {
	paused   bool
	restarts int
}

func (f *fakeScan) TogglePause() bool { f.paused = !f.paused; return f.paused }
func (f *fakeScan) Restart()          { f.restarts++ }

// TestBigKeysInRoot: the root folds scan updates into Data.Scan, the pane
// draws them, s and R reach the worker, and a frozen display keeps its scan.
func TestBigKeysInRoot(t *testing.T) {
	t.Parallel()
	ctl := &fakeScan{}
	m := sized(t, 120, 40, Options{ExtraPanes: []Pane{NewBigKeysPane()}, Actions: ScanActions(ctl)}, synth{n: 5}.samples())
	st := bkState(model.ScanScanning)
	m = step(t, m, model.Update{Scan: &model.ScanUpdate{Progress: st.Progress, Result: st.Result}})
	if !strings.Contains(ansi.Strip(m.View().Content), "big:hash:users") {
		t.Fatal("the scan result is not drawn")
	}
	m = step(t, m, redistest.Key("s"))
	if !ctl.paused {
		t.Error("s did not pause the scan")
	}
	m = step(t, m, redistest.Key("R"))
	if ctl.restarts != 1 {
		t.Error("R did not restart the scan")
	}
	m = step(t, m, redistest.Key("f")) // freeze
	done := bkState(model.ScanDone)
	m = step(t, m, model.Update{Scan: &model.ScanUpdate{Progress: done.Progress}})
	if frame := ansi.Strip(m.View().Content); strings.Contains(frame, "done at") {
		t.Error("a frozen display moved with the scan")
	}
	m = step(t, m, redistest.Key("f"))
	if frame := ansi.Strip(m.View().Content); !strings.Contains(frame, "done at 09:26:53") {
		t.Errorf("after unfreezing the scan is not done:\n%s", frame)
	}
}

// BenchmarkBigKeysRender draws the pane at 200×60 with full top lists
// (100 by bytes, 100 by elements) and a full prefix tree.
func BenchmarkBigKeysRender(b *testing.B) {
	a := model.NewBigKeysAgg(model.BigKeysConfig{}, nil)
	for i := range 50_000 {
		a.Add(&model.KeyInfo{
			Key: fmt.Sprintf("ns%d:user:%d:field%d", i%300, i, i%7), Type: "hash", Encoding: "listpack",
			Bytes: int64(100 + i%9973*37), Elements: int64(i % 5003), TTL: int64(i%90000) - 1,
		})
	}
	st := &model.ScanState{Result: a.Snapshot(), Progress: model.ScanProgress{Phase: model.ScanScanning, Scanned: 50_000, DBSize: 100_000, KeysPerSec: 5000}}
	d := bkData(st)
	styles := themes.NewStyles(themes.Dark())
	p := NewBigKeysPane()
	b.ReportAllocs()
	for b.Loop() {
		_ = p.Render(d, styles, 200, 60, true)
	}
}

// TestBigKeysUnknownBytes: without MEMORY USAGE (denied, renamed) the views
// show — for byte sums, never 0B.
func TestBigKeysUnknownBytes(t *testing.T) {
	t.Parallel()
	a := model.NewBigKeysAgg(model.BigKeysConfig{}, nil)
	for i := range 5 {
		a.Add(&model.KeyInfo{Key: fmt.Sprintf("user:%d", i), Type: "list", Bytes: -1, Elements: int64(10 * i), TTL: -1})
	}
	d := bkData(&model.ScanState{Result: a.Snapshot(), Progress: model.ScanProgress{Phase: model.ScanDone, Scanned: 5, DBSize: 5}})
	p := NewBigKeysPane()
	for view := range 4 {
		frame := ansi.Strip(renderBK(t, p, d, 100, 20))
		if strings.Contains(frame, " 0B") {
			t.Errorf("view %d shows 0B without MEMORY USAGE:\n%s", view, frame)
		}
		keysPress(p, d, "v")
	}
}

// bkClusterState is a finished cluster-wide scan: three nodes' snapshots
// merged, the biggest keys on different nodes.
func bkClusterState(addrs ...string) *model.ScanState {
	parts := make([]model.NodeBigKeys, len(addrs))
	for n, addr := range addrs {
		a := model.NewBigKeysAgg(model.BigKeysConfig{}, nil)
		a.Add(&model.KeyInfo{Key: fmt.Sprintf("{shard%d}:big", n), Type: "hash", Encoding: "hashtable", Bytes: int64(3_000_000 - n*700_000), Elements: int64(50_000 - n*1000), TTL: -1})
		for i := range 12 {
			a.Add(&model.KeyInfo{Key: fmt.Sprintf("user:%d:%d:profile", n, i), Type: "string", Encoding: "raw", Bytes: int64(9000 - i*100 - n*17), Elements: -1, TTL: int64(i * 3600)})
		}
		parts[n] = model.NodeBigKeys{Node: addr, Keys: a.Snapshot()}
	}
	st := &model.ScanState{Result: model.MergeBigKeys(parts)}
	st.Progress = model.ScanProgress{
		Phase: model.ScanDone, Pass: 1, Scanned: 39, DBSize: 39, KeysPerSec: 3900, StartedAt: bkT0.Add(-10 * time.Millisecond),
		DoneAt: bkT0, Elapsed: 10 * time.Millisecond, Samples: 5, DBs: []int{0},
	}
	return st
}

var bkLoopback = []string{"127.0.0.1:7000", "127.0.0.1:7001", "127.0.0.1:7002"}

// TestBigKeysClusterGolden: a cluster's keys get a node column (":port"
// when the nodes share a host), at 80 and 120 columns, and the details name
// the node and a redis-cli line for it.
func TestBigKeysClusterGolden(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		addrs []string
		keys  []string
	}{
		{"keys", bkLoopback, nil},
		{"hosts", []string{"10.20.30.41:6379", "10.20.30.42:6379", "10.20.30.143:6380"}, nil},
		{"sort-node", bkLoopback, []string{"o", "o", "o", "o", "o", "o"}},
		{"detail", bkLoopback, []string{"down", "enter"}},
	}
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%dx%d/%s", sz[0], sz[1], c.name), func(t *testing.T) {
				t.Parallel()
				p := NewBigKeysPane()
				d := bkData(bkClusterState(c.addrs...))
				keysPress(p, d, c.keys...)
				golden.RequireEqual(t, ansi.Strip(renderBK(t, p, d, sz[0], sz[1])))
			})
		}
	}
}

func TestNodeLabels(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		addrs []string
		want  []string
	}{
		{"one host", bkLoopback, []string{":7000", ":7001", ":7002"}},
		{"one subnet", []string{"10.0.0.1:6379", "10.0.0.2:6379", "10.0.0.2:6380"}, []string{"…1:6379", "…2:6379", "…2:6380"}},
		{"two subnets", []string{"10.0.1.1:6379", "10.0.2.1:6379"}, []string{"…1.1:6379", "…2.1:6379"}},
		{"nothing shared", []string{"10.0.0.1:6379", "192.168.0.1:6379", "[2001:db8::1]:6379"}, []string{"10.0.0.1:6379", "192.168.0.1:6379", "[2001:db8::1]:6379"}},
		{"a shared domain", []string{"redis-1.prod.example.com:6379", "redis-2.prod.example.com:6379", "cache.prod.example.com:7000"}, []string{"redis-1:6379", "redis-2:6379", "cache:7000"}},
		{"domains that differ", []string{"a.east.example.com:1", "b.west.example.com:1"}, []string{"a.east:1", "b.west:1"}},
		{"one node", []string{"127.0.0.1:7000"}, []string{"127.0.0.1:7000"}},
		{"IPv6", []string{"[::1]:7000", "[::1]:7001"}, []string{":7000", ":7001"}},
		{"hostile", []string{"evil\x1b\x07.example.com:1", "ok.example.com:2"}, []string{`evil\x1b\x07:1`, "ok:2"}},
		{"not host:port", []string{"evil\x1b[2J.example.com:1", "ok.example.com:2"}, []string{`evil\x1b[2J.example.com:1`, "ok.example.com:2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			labels := nodeLabels(bkClusterState(c.addrs...).Result)
			for i, a := range c.addrs {
				if labels[a] != c.want[i] {
					t.Errorf("%q → %q, want %q", a, labels[a], c.want[i])
				}
			}
		})
	}
	if nodeLabels(bkState(model.ScanDone).Result) != nil {
		t.Error("a single server's keys got node labels")
	}
}

// TestBigKeysClusterFits: with a node column the table fits every width,
// keeps the bytes column down to 80 columns, and draws nothing raw from a
// hostile address.
func TestBigKeysClusterFits(t *testing.T) {
	t.Parallel()
	hostile := []string{"\x1b]0;owned\x07.example.com:7000", "very-long-host-name-of-a-cluster-node-number-two.example.org:7001", "10.1.2.3:7002"}
	for _, addrs := range [][]string{bkLoopback, hostile} {
		for w := 24; w <= 200; w += 7 {
			for _, keys := range [][]string{nil, {"down", "enter"}} {
				p := NewBigKeysPane()
				d := bkData(bkClusterState(addrs...))
				keysPress(p, d, keys...)
				frame := renderBK(t, p, d, w, 20)
				rest := sgrRE.ReplaceAllString(frame, "")
				if i := strings.IndexFunc(rest, func(r rune) bool { return r == 0x1b || r == 0x07 }); i >= 0 {
					t.Fatalf("width %d: raw control in %q", w, rest)
				}
				if w >= 80 && keys == nil {
					cols := keyColumnsWithNode(w-2, nodeColumnWidth(nodeLabels(d.Scan.Result), w-2))
					var titles []string
					for _, c := range cols {
						titles = append(titles, c.title)
					}
					if !slices.Contains(titles, colNode) || !slices.Contains(titles, colBytes) || cols[0].w < 14 {
						t.Errorf("width %d: columns %v, key %d cells", w, titles, cols[0].w)
					}
				}
			}
		}
	}
	// The node sort comes round only when the keys have nodes.
	p := NewBigKeysPane().(*bigKeysPane)
	d := bkData(bkClusterState(bkLoopback...))
	keysPress(p, d, "o", "o", "o", "o", "o", "o")
	if p.sort != sortNode {
		t.Fatalf("sort %v after six o, want node", p.sort)
	}
	rows := p.keyRows(d)
	if rows[0].Node != bkLoopback[0] || rows[len(rows)-1].Node != bkLoopback[2] || rows[0].Key != "{shard0}:big" {
		t.Errorf("by node: first %+v, last %+v", rows[0], rows[len(rows)-1])
	}
	single := NewBigKeysPane().(*bigKeysPane)
	sd := bkData(bkState(model.ScanDone))
	keysPress(single, sd, "o", "o", "o", "o", "o", "o")
	if single.sort != sortBytes {
		t.Errorf("a single server's sort after six o is %v, want bytes", single.sort)
	}
}
