package cli

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/app"
	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// plantPrefixes writes key:0…key:1999 (the names DEBUG POPULATE makes: every
// key under key: is key:<n>, so the tree's key: node has one child, key:*,
// with the same counts) and user:<n>:profile hashes beside them.
func plantPrefixes(t *testing.T, addr string) {
	t.Helper()
	w := demo.NewClient(addr)
	defer func() { _ = w.Close() }()
	ctx := t.Context()
	_, err := w.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i := range 2000 {
			p.Set(ctx, "key:"+strconv.Itoa(i), strings.Repeat("v", 100), 0)
		}
		for i := range 300 {
			p.HSet(ctx, "user:"+strconv.Itoa(i)+":profile", "name", "n"+strconv.Itoa(i))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPrefixTableHasNoDuplicateRows: the big-key pane's prefix view, drawn
// from a real scan by the monitor's own wiring, lists key:* once — not key:
// and key:* with the same counts — and the Markdown report's prefix table
// and checklist do the same, with no "key::" anywhere.
func TestPrefixTableHasNoDuplicateRows(t *testing.T) {
	srv := redistest.StartServer(t)
	plantPrefixes(t, srv.Addr)

	o := redisx.DefaultOptions()
	o.Addr = srv.Addr
	r := startLive(t, connectMain(t, o), rigOptions{scan: &app.ScanConfig{}, w: 120, h: 40})
	r.until("a complete scan", scanDone)
	for r.m.Focused() != ui.PaneBigKeys {
		r.press("tab")
	}
	r.press("v") // the prefix view
	r.press("e")
	frame := r.frame()
	rowName := regexp.MustCompile(`^[│ ]*(?:▸ )?\s*(\S+)\s+[\d.]+k?\s`)
	seen := map[string]int{}
	for _, line := range strings.Split(frame, "\n") {
		if m := rowName.FindStringSubmatch(line); m != nil && strings.Contains(m[1], ":") {
			seen[m[1]]++
		}
	}
	if seen["key:*"] != 1 || seen["key:"] != 0 || seen["user:*:profile"] != 1 {
		t.Errorf("prefix rows %v: want key:* and user:*:profile once each, no key: row:\n%s", seen, frame)
	}
	if strings.Contains(frame, "key::") {
		t.Errorf("a doubled colon on the screen:\n%s", frame)
	}

	code, out, errOut := runCLI(t, "report", "--quick", "--scan", "--interval", "100ms", "redis://"+srv.Addr)
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, errOut)
	}
	if n := strings.Count(out, "| `key:*` |"); n != 1 || strings.Contains(out, "| `key:` |") {
		t.Errorf("the report's prefix table has key:* %d times (want 1) or a key: row:\n%s", n, out)
	}
	if strings.Contains(out, "key::") {
		t.Errorf("the report says key:: somewhere:\n%s", out)
	}
}
