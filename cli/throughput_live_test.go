package cli

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// headerLoadRE reads the header's load: "1.2k ops/s · 5 clients (1 blocked)
// 0.2 conn/s · net in 5.42K/s out 138.46K/s".
var headerLoadRE = regexp.MustCompile(`([0-9.]+[kMG]?) ops/s · ([0-9]+) clients? \(([0-9]+) blocked\)  ([0-9.]+[kMG]?) conn/s · net in ([0-9.]+[BKMG])/s out ([0-9.]+[BKMG])/s`)

// parseScaled reads a figure as model.Count (k = 1000) or model.Bytes
// (K = 1024) wrote it.
func parseScaled(t *testing.T, s string) float64 {
	t.Helper()
	mult := 1.0
	switch s[len(s)-1] {
	case 'k':
		mult = 1000
	case 'K':
		mult = 1 << 10
	case 'M':
		mult = 1 << 20
	case 'G':
		mult = 1 << 30
	}
	v, err := strconv.ParseFloat(strings.TrimRight(s, "kKMGB"), 64)
	if err != nil {
		t.Fatalf("figure %q: %v", s, err)
	}
	return v * mult
}

// infoRates reads the server's own counters twice, span apart, and
// returns their rates per second (commands, bytes in, bytes out).
func infoRates(ctx context.Context, t *testing.T, c *redis.Client, span time.Duration) (ops, in, out float64) {
	t.Helper()
	read := func() (time.Time, [3]float64) {
		info := c.Info(ctx, "stats").Val()
		var v [3]float64
		for i, f := range []string{"total_commands_processed", "total_net_input_bytes", "total_net_output_bytes"} {
			v[i] = infoNumber(t, info, f)
		}
		return time.Now(), v
	}
	t0, a := read()
	time.Sleep(span)
	t1, b := read()
	s := t1.Sub(t0).Seconds()
	return (b[0] - a[0]) / s, (b[1] - a[1]) / s, (b[2] - a[2]) / s
}

// infoNumber is one numeric field of an INFO reply.
func infoNumber(t *testing.T, info, field string) float64 {
	t.Helper()
	for l := range strings.SplitSeq(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), field+":"); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", field, err)
			}
			return f
		}
	}
	t.Fatalf("INFO has no %s", field)
	return 0
}

// within reports whether got is within a factor of want (both positive).
func within(got, want, factor float64) bool {
	return got > 0 && want > 0 && got <= want*factor && got >= want/factor
}

// TestHeaderLoadMatchesInfo: under a steady little load (about 300 PINGs a
// second, one client blocked in BLPOP), the header shows what redis-cli
// --stat would: ops/s, connected and blocked clients, connections/s and
// the network in / out — the clients exactly as INFO counts them, the
// rates within a factor of what the server's own counters give over the
// same few seconds.
func TestHeaderLoadMatchesInfo(t *testing.T) {
	srv := redistest.StartServer(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	probe := redistest.Client(t, srv.Addr)
	// One client blocked for as long as the test runs (BLPOP on a key
	// nothing writes: it reads, never changes the data).
	blocked := redistest.Client(t, srv.Addr)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	// Not waited for: the client's close at cleanup ends it.
	go func() { _ = blocked.BLPop(context.Background(), 0, "h16b:never").Err() }()
	wg.Add(1)
	load := redistest.Client(t, srv.Addr)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Second / 300)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				_ = load.Ping(ctx).Err()
			}
		}
	}()

	opts := redisx.DefaultOptions()
	opts.Addr = srv.Addr
	c := connectMain(t, opts)
	d := startLive(t, c, rigOptions{w: 200, h: 60, extras: -1})
	var m []string
	d.until("the header's load, clients as INFO counts them", func(ui.Model) bool {
		m = headerLoadRE.FindStringSubmatch(strings.SplitN(d.frame(), "\n", 2)[0])
		if m == nil {
			return false
		}
		info := probe.Info(ctx, "clients").Val()
		return m[2] == strconv.Itoa(int(infoNumber(t, info, "connected_clients"))) &&
			m[3] == strconv.Itoa(int(infoNumber(t, info, "blocked_clients")))
	})
	if m[3] != "1" {
		t.Errorf("blocked clients %s, want 1: %s", m[3], m[0])
	}
	// The rates: let the header's span (the last 10 s) fill with the
	// steady load, then compare with the server's counters over the same
	// stretch.
	wantOps, wantIn, wantOut := infoRates(ctx, t, probe, 3*time.Second)
	d.until("a fresh sample", func(mm ui.Model) bool {
		last := mm.Live().Last()
		return last != nil && time.Since(last.Time) < time.Second
	})
	m = headerLoadRE.FindStringSubmatch(strings.SplitN(d.frame(), "\n", 2)[0])
	if m == nil {
		t.Fatalf("no load in the header:\n%s", d.frame())
	}
	ops, in, out := parseScaled(t, m[1]), parseScaled(t, m[5]), parseScaled(t, m[6])
	t.Logf("header %q; INFO: %.0f ops/s, in %.0f B/s, out %.0f B/s", m[0], wantOps, wantIn, wantOut)
	if !within(ops, wantOps, 2) {
		t.Errorf("ops/s %.0f, the server counts %.0f", ops, wantOps)
	}
	if !within(in, wantIn, 2) || !within(out, wantOut, 2) {
		t.Errorf("net in %.0f out %.0f B/s, the server counts %.0f / %.0f", in, out, wantIn, wantOut)
	}
}
