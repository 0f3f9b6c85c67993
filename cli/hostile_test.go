package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/redis-memtop/redis-memtop/app"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// hostileKeys are key names a stranger could write into a server the tool
// watches: each tries to change the terminal's state, hide or reorder text,
// break the table's columns or the report's formats.
var hostileKeys = map[string]string{
	"title":     "\x1b]0;owned\x07title",
	"clipboard": "\x1b]52;c;cm0gLXJmIH4K\x07clip",
	"hyperlink": "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",
	"csi":       "\x1b[2J\x1b[H\x1b[31mred",
	"dcs":       "\x1bP+q544e\x1b\\dcs",
	"c0":        "nul\x00bel\x07vt\x0bff\x0c",
	"c1-utf8":   "c1\u009b31m\u0085\u009dosc",
	"c1-raw":    "raw\x9b31m\x9d0;x\x9c",
	"cr":        "abc\rXYZ overwrite",
	"backspace": "abc\b\b\bXYZ",
	"bidi":      "\u202eexe.txt\u202c|\u2066iso\u2069",
	"zerowidth": "a\u200bb\u200cc\u200dd\ufeffe\u2060f",
	"wide":      "日本語のキー:🔥🔥:한국어",
	"combining": "\u0301e\u0301\u20dd",
	"invalid":   "bin\xff\xfe\xfd:\xc3\x28:\xed\xa0\x80",
	"markdown":  "`code`|**bold**|<script>|[x](y)\n# h",
	"tab":       "a\tb\tc",
}

// bigHostileName is a 1 MB key name, with an escape sequence in the middle.
var bigHostileName = strings.Repeat("k", 512<<10) + "\x1b]0;owned\x07" + strings.Repeat("m", 512<<10)

var sgrRE = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// assertSafeFrame: the only escape sequences left are SGR colours; no other
// control, no bidi or invisible format character, valid UTF-8; exactly w×h
// cells.
func assertSafeFrame(t *testing.T, what, frame string, w, h int) {
	t.Helper()
	rest := sgrRE.ReplaceAllString(frame, "")
	if !utf8.ValidString(rest) {
		t.Fatalf("%s: invalid UTF-8 in the frame", what)
	}
	for i, r := range rest {
		if r == '\n' {
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || model.NeedsEscape(r) {
			t.Fatalf("%s: raw %U in the frame at %d: %q", what, r, i, rest[max(i-30, 0):min(i+30, len(rest))])
		}
	}
	lines := strings.Split(frame, "\n")
	if len(lines) != h {
		t.Fatalf("%s: %d lines, want %d", what, len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Fatalf("%s: line %d is %d cells, want %d: %q", what, i, got, w, ansi.Strip(l))
		}
	}
}

// assertAligned checks the big-key table in an expanded frame: in every row
// the type column holds a type and the bytes column a size, at the cells the
// header puts them.
func assertAligned(t *testing.T, what, frame string) int {
	t.Helper()
	lines := strings.Split(ansi.Strip(frame), "\n")
	hdr := -1
	for i, l := range lines {
		if strings.Contains(l, " type ") && strings.Contains(l, "bytes") && strings.Contains(l, "elements") {
			hdr = i
			break
		}
	}
	if hdr < 0 {
		t.Fatalf("%s: no table header:\n%s", what, strings.Join(lines, "\n"))
	}
	h := lines[hdr]
	cellOf := func(sub string) int { return ansi.StringWidth(h[:strings.Index(h, sub)]) }
	typeCol := cellOf(" type ") + 1
	bytesEnd := cellOf("bytes") + ansi.StringWidth("bytes▼")
	if !strings.Contains(h, "bytes▼") {
		bytesEnd = cellOf("bytes") + len("bytes")
	}
	sizeRE := regexp.MustCompile(`^ *([0-9.]+[BKMGT]|—)$`)
	rows := 0
	for _, l := range lines[hdr+1:] {
		if strings.Contains(l, "view:") || strings.Contains(l, "╰") {
			break
		}
		if strings.TrimSpace(strings.Trim(l, "│")) == "" {
			continue
		}
		typ := strings.TrimSpace(ansi.Cut(l, typeCol, typeCol+6))
		size := ansi.Cut(l, bytesEnd-8, bytesEnd)
		switch typ {
		case "string", "list", "hash", "set", "zset", "stream":
		default:
			t.Errorf("%s: type column holds %q in %q", what, typ, l)
		}
		if !sizeRE.MatchString(size) {
			t.Errorf("%s: bytes column holds %q in %q", what, size, l)
		}
		rows++
	}
	return rows
}

// assertSafeText: no raw control character (but newline), no C1, no bidi
// or invisible format character, valid UTF-8.
func assertSafeText(t *testing.T, what, text string) {
	t.Helper()
	if !utf8.ValidString(text) {
		t.Fatalf("%s: invalid UTF-8", what)
	}
	for i, r := range text {
		if r == '\n' {
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || model.NeedsEscape(r) {
			t.Fatalf("%s: raw %U at %d: %q", what, r, i, text[max(i-30, 0):min(i+30, len(text))])
		}
	}
}

// TestHostileKeysAndClientNames writes hostile key names into a real server
// (and tries hostile client names), then runs the real poller and scan into
// the UI, the recorder and the report. The frames hold no escape sequence
// but SGR, keep the terminal's width and the big-key table's columns; the
// Markdown holds no raw control character; the JSON is valid and gives back
// every binary key name exactly, the 1 MB one included; so does the
// recording.
func TestHostileKeysAndClientNames(t *testing.T) {
	srv := redistest.StartServer(t)
	w := demo.NewClient(srv.Addr)
	defer func() { _ = w.Close() }()
	ctx := t.Context()
	want := map[string]bool{bigHostileName: true}
	for _, k := range hostileKeys {
		want[k] = true
		if err := w.Set(ctx, k, strings.Repeat("v", 2000), 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Set(ctx, bigHostileName, "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	for i, k := range []string{"\x1b]0;owned\x07:list", "列表:\u202e:list"} {
		want[k] = true
		if err := w.RPush(ctx, k, strings.Repeat("x", 100*(i+1)), "y").Err(); err != nil {
			t.Fatal(err)
		}
	}
	// Redis refuses client names with spaces or controls; what it accepts
	// is still hostile to Markdown.
	names := demo.NewClient(srv.Addr)
	defer func() { _ = names.Close() }()
	if err := names.Do(ctx, "client", "setname", "evil\x1b]0;owned\x07").Err(); err == nil {
		t.Log("this server accepts a client name with controls")
	}
	if err := names.Do(ctx, "client", "setname", "`x`|**b**|<i>").Err(); err != nil {
		t.Fatal(err)
	}

	o := redisx.DefaultOptions()
	o.Addr = srv.Addr
	c := connectMain(t, o)
	rec := filepath.Join(t.TempDir(), "hostile.jsonl")
	r := startLive(t, c, rigOptions{scan: &app.ScanConfig{}, record: rec, w: 160, h: 50})
	r.until("a complete scan and the extras", func(m ui.Model) bool {
		d := m.Live()
		return scanDone(m) && d.Extras != nil && d.Extras.Clients != nil && r.folded >= 2
	})
	if got := r.m.Live().Scan.Progress.Scanned; got != int64(len(want)) {
		t.Errorf("scanned %d keys, want %d", got, len(want))
	}

	// Every pane at several sizes; the big-key pane focused, expanded, in
	// every view and in the detail of each key.
	for r.m.Focused() != ui.PaneBigKeys {
		r.press("tab")
	}
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {200, 60}, {61, 19}} {
		r.m, _ = uiStep(t, r.m, tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		assertSafeFrame(t, "normal", r.m.View().Content, sz[0], sz[1])
		for range 5 { // every view, then back to keys
			r.press("v")
			assertSafeFrame(t, "view", r.m.View().Content, sz[0], sz[1])
		}
		for range len(want) {
			r.press("enter")
			assertSafeFrame(t, "detail", r.m.View().Content, sz[0], sz[1])
			r.press("esc")
			r.m, _ = uiStep(t, r.m, tea.KeyPressMsg{Code: tea.KeyDown})
		}
		r.press("e")
		if !r.m.Expanded() {
			t.Fatal("e did not expand the big-key pane")
		}
		frame := r.m.View().Content
		assertSafeFrame(t, "expanded", frame, sz[0], sz[1])
		if rows := assertAligned(t, "expanded", frame); rows < min(sz[1]-9, len(want)) {
			t.Errorf("%dx%d: only %d table rows:\n%s", sz[0], sz[1], rows, ansi.Strip(frame))
		}
		r.press("e")
		r.press("?")
		assertSafeFrame(t, "help", r.m.View().Content, sz[0], sz[1])
		r.press("?")
	}
	if title := r.m.View().WindowTitle; strings.ContainsAny(title, "\x1b\x07") {
		t.Errorf("window title %q", title)
	}
	plain := ansi.Strip(r.m.View().Content)
	if !strings.Contains(r.frame(), "Big keys") || !strings.Contains(plain, `\x1b`) {
		t.Errorf("the hostile names are not shown escaped:\n%s", plain)
	}
	r.stop()

	// The report, Markdown and JSON, from the CLI.
	code, md, errOut := runCLI(t, "report", "--quick", "--scan", "--interval", "100ms", "redis://"+srv.Addr)
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, errOut)
	}
	assertSafeText(t, "Markdown report", md)
	if !strings.Contains(md, `\x1b]0;owned\x07title`) || !strings.Contains(md, `\|\*\*b\*\*\|`) {
		t.Errorf("Markdown lacks the escaped names")
	}
	code, js, errOut := runCLI(t, "report", "--quick", "--scan", "--format", "json", "--interval", "100ms", "redis://"+srv.Addr)
	if code != 0 {
		t.Fatalf("report json: exit %d: %s", code, errOut)
	}
	var rep struct {
		BigKeys struct {
			Top []json.RawMessage `json:"top"`
		} `json:"bigkeys"`
		Clients struct {
			Top []struct {
				Name string `json:"name"`
			} `json:"top"`
		} `json:"clients"`
	}
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatalf("JSON report invalid: %v", err)
	}
	got := map[string]bool{}
	for _, raw := range rep.BigKeys.Top {
		var k model.KeyInfo
		if err := json.Unmarshal(raw, &k); err != nil {
			t.Fatal(err)
		}
		got[k.Key] = true
		var plainKey struct {
			Key string `json:"key"`
			B64 string `json:"key_base64"`
		}
		_ = json.Unmarshal(raw, &plainKey)
		if !utf8.ValidString(k.Key) && plainKey.B64 != base64.StdEncoding.EncodeToString([]byte(k.Key)) {
			t.Errorf("binary key without an exact key_base64: %q", plainKey.Key)
		}
	}
	for k := range want {
		if !got[k] {
			t.Errorf("JSON report lost key %q", ansi.Truncate(k, 60, "…"))
		}
	}
	foundClient := false
	for _, cl := range rep.Clients.Top {
		foundClient = foundClient || cl.Name == "`x`|**b**|<i>"
	}
	if !foundClient {
		t.Errorf("clients %+v lack the hostile name", rep.Clients.Top)
	}

	// The recording is valid JSON Lines and keeps the names exactly.
	f, err := os.Open(rec)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	recording, err := model.ReadRecording(f)
	if err != nil {
		t.Fatalf("recording: %v", err)
	}
	recKeys := map[string]bool{}
	for _, l := range recording.Lines {
		if l.Scan != nil && l.Scan.Result != nil {
			for _, k := range l.Scan.Result.TopBytes {
				recKeys[k.Key] = true
			}
		}
	}
	for k := range want {
		if !recKeys[k] {
			t.Errorf("recording lost key %q", ansi.Truncate(k, 60, "…"))
		}
	}
	if raw, _ := os.ReadFile(rec); bytes.Contains(raw, []byte("\x1b")) {
		t.Error("the recording holds a raw ESC (JSON must escape it)")
	}
}

// TestHostileServerStrings: a server (the fake one) whose INFO, CLIENT
// LIST, CONFIG GET and MEMORY DOCTOR carry escape sequences, controls and
// bidi overrides in every string field the tool shows. The frames (the
// checklist's MEMORY DOCTOR view and details included), the Markdown and
// the JSON stay safe.
func TestHostileServerStrings(t *testing.T) {
	const osc, csi, bidi = "\x1b]0;owned\x07", "\x1b[2J", "\u202e"
	sec, order := redistest.SectionsOf(redistest.InfoCapture(t, "redis-7.0.15-debian-full-localcapture.txt"))
	inject := func(name, key, value string) {
		var out []string
		for l := range strings.SplitSeq(strings.TrimRight(sec[name], crlf), crlf) {
			if strings.HasPrefix(l, key+":") {
				l = key + ":" + value
			}
			out = append(out, l)
		}
		sec[name] = lines(out...)
	}
	inject("server", "run_id", "abc"+osc+"def")
	inject("server", "os", "Linux"+csi+bidi+"\x00")
	inject("server", "redis_version", "7.0.15"+osc)
	inject("replication", "role", "master"+csi)
	inject("memory", "maxmemory_policy", "allkeys-lru"+osc+bidi)
	inject("memory", "mem_allocator", "jemalloc\x1b]52;c;cm0K\x07")
	inject("persistence", "rdb_last_bgsave_status", "err"+csi)
	sec["errorstats"] = lines("# Errorstats", "errorstat_OOM"+osc+":count=3", "errorstat_ERR:count=1")
	keys := redistest.FakeKeys()
	keys = append(keys, redistest.FakeKey{Name: "evil" + osc, Type: "string", Enc: "raw\x1b[31m", Bytes: 5 << 20, TTL: -1})
	script := redistest.FakeScript{
		Sections: sec, Order: order,
		Plain: []string{"server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "errorstats", "cluster", "keyspace"},
		Multi: true, Everything: true,
		Config: map[string]string{
			"maxmemory": "0", "maxmemory-policy": "noeviction" + osc, "activedefrag": "no" + csi,
			"save": "3600 1" + bidi, "appendonly": "no",
		},
		ClientList: "id=7 addr=127.0.0.1:1" + osc + " laddr=127.0.0.1:6379 fd=9 name=evil" + csi + "name age=1 idle=0 flags=N" + bidi + " db=0 qbuf=0 omem=20000000 tot-mem=20061466 cmd=get" + osc + "\n" +
			"id=8 addr=127.0.0.1:2 fd=10 name=\x9b31m age=1 idle=0 flags=N db=0 qbuf=0 omem=0 tot-mem=1000 cmd=info\n",
		Doctor: "Sam, I detected a few issues:\n\n * " + osc + "High fragmentation" + csi + "\r\n * \x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\\n\ttabbed" + bidi,
		Keys:   keys,
	}
	f := redistest.StartFake(t, script)
	o := redisx.DefaultOptions()
	o.Addr = f.Addr
	c := connectMain(t, o)
	r := startLive(t, c, rigOptions{scan: &app.ScanConfig{}, w: 160, h: 50})
	r.until("a scan, the extras and two samples", func(m ui.Model) bool {
		return scanDone(m) && m.Live().Extras != nil && m.Live().Extras.Doctor != nil && r.folded >= 2
	})
	for r.m.Focused() != ui.PaneChecklist {
		r.press("tab")
	}
	for _, sz := range [][2]int{{80, 24}, {160, 50}, {220, 70}} {
		r.m, _ = uiStep(t, r.m, tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		assertSafeFrame(t, "checklist", r.m.View().Content, sz[0], sz[1])
		r.press("d")
		assertSafeFrame(t, "doctor", r.m.View().Content, sz[0], sz[1])
		r.press("esc")
		for range 19 {
			r.press("enter")
			assertSafeFrame(t, "check detail", r.m.View().Content, sz[0], sz[1])
			r.press("esc")
			r.m, _ = uiStep(t, r.m, tea.KeyPressMsg{Code: tea.KeyDown})
		}
		r.press("e")
		assertSafeFrame(t, "expanded", r.m.View().Content, sz[0], sz[1])
		r.press("e")
	}
	r.stop()

	code, md, errOut := runCLI(t, "report", "--quick", "--scan", "--interval", "100ms", "redis://"+f.Addr)
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, errOut)
	}
	assertSafeText(t, "Markdown report", md)
	for _, want := range []string{`abc\x1b]0;owned\x07def`, `evil\x1b[2Jname`} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks the escaped %q", want)
		}
	}
	code, js, errOut := runCLI(t, "report", "--quick", "--scan", "--format", "json", "--interval", "100ms", "redis://"+f.Addr)
	if code != 0 {
		t.Fatalf("report json: exit %d: %s", code, errOut)
	}
	var rep struct {
		Server struct {
			RunID string `json:"run_id"`
		} `json:"server"`
		Doctor string `json:"memory_doctor"`
	}
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatalf("JSON report invalid: %v", err)
	}
	if rep.Server.RunID != "abc"+osc+"def" || !strings.Contains(rep.Doctor, osc) {
		t.Errorf("JSON must keep server text exactly (escaped by JSON, not altered): %q %q", rep.Server.RunID, rep.Doctor)
	}
}
