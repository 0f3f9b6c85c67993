package redisx

import (
	"strings"
	"testing"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
)

// The re-measure against a real server: a list and a string grow between
// two rounds (LLEN, STRLEN, MEMORY USAGE across two databases), a deleted
// hash is forgotten, and the connection follows the scan's rules — named
// redis-memtop, CLIENT NO-TOUCH on from 7.2.
func TestKeyWatcherMeasuresGrowth(t *testing.T) {
	s := redistest.StartServer(t)
	c := redistest.Client(t, s.Addr)
	ctx := scanCtx(t)
	ver := redistest.Version(t, s.Addr)
	items := make([]any, 100)
	for i := range items {
		items[i] = "job-payload-" + strings.Repeat("x", i%7)
	}
	if err := c.RPush(ctx, "q", items...).Err(); err != nil {
		t.Fatal(err)
	}
	c.HSet(ctx, "h", "a", "1")
	db1 := redistest.Client(t, s.Addr)
	db1.Do(ctx, "select", "1")
	if err := db1.Do(ctx, "set", "s", "0123456789").Err(); err != nil {
		t.Fatal(err)
	}
	w := NewKeyWatcher(c, WatchOptions{})
	w.SetKeys(&model.BigKeys{TopBytes: []model.KeyInfo{
		{Key: "q", Type: "list", Bytes: 1}, {Key: "h", Type: "hash", Bytes: 1}, {Key: "s", DB: 1, Type: "string", Bytes: 1},
	}})
	first, err := w.Measure(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if q, ok := first.Find(0, "q"); !ok || q.Elements != 100 || q.Bytes <= 0 {
		t.Fatalf("first round: q %+v (found %v), want 100 elements and a size", q, ok)
	}
	flags := ""
	for _, line := range strings.Split(c.ClientList(ctx).Val(), "\n") {
		if strings.Contains(line, " name="+scanClientName+" ") {
			for _, kv := range strings.Fields(line) {
				if v, ok := strings.CutPrefix(kv, "flags="); ok {
					flags = v
				}
			}
		}
	}
	if ver.AtLeast(7, 2, 0) != strings.Contains(flags, "T") {
		t.Errorf("%s: the re-measure's connection has flags %q (want T from 7.2: CLIENT NO-TOUCH)", ver, flags)
	}

	more := make([]any, 5000)
	for i := range more {
		more[i] = "job-payload"
	}
	c.RPush(ctx, "q", more...)
	db1.Append(ctx, "s", strings.Repeat("y", 20_000))
	c.Del(ctx, "h")
	g, err := w.Measure(ctx)
	if err != nil {
		t.Fatal(err)
	}
	q, _ := g.Find(0, "q")
	if q.Elements != 5100 || q.FirstElements != 100 || q.Readings != 2 || q.Rising != 1 || q.Bytes <= q.FirstBytes {
		t.Errorf("q %+v, want 100 → 5100 elements, bytes up, rising once", q)
	}
	if q.Flag == "" || !strings.HasPrefix(q.RateText(), "↑ ") {
		t.Errorf("q grew 51× and is not flagged: %+v", q)
	}
	str, _ := g.Find(1, "s")
	if str.Elements != 20_010 || str.FirstElements != 10 {
		t.Errorf("s %+v, want STRLEN 10 → 20010", str)
	}
	if _, ok := g.Find(0, "h"); ok || len(g.Keys) != 2 {
		t.Errorf("keys %+v: the deleted hash should be forgotten", g.Keys)
	}
	w.close()
}
