package redisx

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
)

type updateRec = model.Update

// feed runs a poller in the background and hands its updates to the test.
type feed struct {
	once   sync.Once
	err    error // what Run returned
	ch     chan model.Update
	cancel context.CancelFunc
	done   chan error
	all    []model.Update
}

func runPoller(t *testing.T, p *Poller) *feed {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	f := &feed{ch: make(chan model.Update, 16), cancel: cancel, done: make(chan error, 1)}
	go func() { f.done <- p.Run(ctx, f.ch) }()
	t.Cleanup(f.stop)
	return f
}

func (f *feed) stop() {
	f.once.Do(func() {
		f.cancel()
		f.err = <-f.done
	})
}

func (f *feed) next(t *testing.T) model.Update {
	t.Helper()
	select {
	case u := <-f.ch:
		f.all = append(f.all, u)
		return u
	case <-time.After(safety):
		t.Fatalf("no update within %s; got %d so far", safety, len(f.all))
		return model.Update{}
	}
}

// until reads updates until pred holds for one of them, and returns it.
func (f *feed) until(t *testing.T, what string, pred func(model.Update) bool) model.Update {
	t.Helper()
	deadline := time.Now().Add(safety)
	for time.Now().Before(deadline) {
		if u := f.next(t); pred(u) {
			return u
		}
	}
	t.Fatalf("never saw %s", what)
	return model.Update{}
}

func okSample(u model.Update) bool { return u.Sample != nil && !u.Sample.IsGap() }

func collect(t *testing.T, p *Poller, until func([]updateRec) bool) []updateRec {
	t.Helper()
	f := runPoller(t, p)
	deadline := time.Now().Add(safety)
	for !until(f.all) {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met; updates: %d", len(f.all))
		}
		f.next(t)
	}
	f.stop()
	return f.all
}

func countSamples(us []updateRec) int {
	n := 0
	for _, u := range us {
		if u.Sample != nil && !u.Sample.IsGap() {
			n++
		}
	}
	return n
}

func countExtras(us []updateRec) int {
	n := 0
	for _, u := range us {
		if u.Extras != nil {
			n++
		}
	}
	return n
}

func TestPollerSamplesMatchInfo(t *testing.T) {
	srv := redistest.StartServer(t, "maxmemory 64mb", "maxmemory-policy allkeys-lru")
	plain := redistest.Client(t, srv.Addr)
	ctx := testCtx(t)
	for i := range 200 {
		if err := plain.Set(ctx, "k:"+strconv.Itoa(i), strings.Repeat("x", 100), 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	c := connectT(t, optsFor(srv.Addr))
	// Multi-section INFO is 7.0+: older servers take the one-INFO path.
	if c.Product() != serverProduct(t, srv) || c.Mode() != ModeStandalone || c.Caps().MultiSectionInfo != redistest.Version(t, srv.Addr).AtLeast(7, 0, 0) {
		t.Fatalf("probe: %s %s %+v", c.Product(), c.Mode(), c.Caps())
	}
	p := NewPoller(c, 100*time.Millisecond, time.Second)
	f := runPoller(t, p)

	if u := f.next(t); u.Conn == nil || u.Conn.State != model.ConnConnecting {
		t.Fatalf("first update = %+v, want connecting", u)
	}
	if u := f.next(t); u.Conn == nil || u.Conn.State != model.ConnLive {
		t.Fatalf("second update = %+v, want live", u)
	}
	u := f.until(t, "a sample", okSample)
	s := u.Sample
	info := ParseInfo(plain.Info(ctx, "memory").Val())
	want, _ := info.Number("used_memory").Get()
	got, ok := s.Memory.UsedMemory.Get()
	if !ok || got < want-256*1024 || got > want+256*1024 {
		t.Errorf("used_memory = %v, INFO read beside it says %v", got, want)
	}
	if s.Memory.MaxMemory != model.Some(64<<20) {
		t.Errorf("maxmemory = %+v, want exactly 64mb", s.Memory.MaxMemory)
	}
	if s.Memory.MaxMemoryPolicy != "allkeys-lru" || s.TotalKeys() != model.Some(200) {
		t.Errorf("policy %q keys %+v", s.Memory.MaxMemoryPolicy, s.TotalKeys())
	}
	for _, sec := range pollSections[1:] {
		if !s.HasSection(sec.(string)) {
			t.Errorf("section %s missing from the poll: %v", sec, s.Sections)
		}
	}
	if s.Latency <= 0 || s.Server.RunID == "" || s.Server.Version == "" {
		t.Errorf("latency %v run_id %q version %q", s.Latency, s.Server.RunID, s.Server.Version)
	}
	ex := f.until(t, "extras", func(u model.Update) bool { return u.Extras != nil }).Extras
	if v, _ := ex.Config.Get("maxmemory"); v != strconv.Itoa(64<<20) {
		t.Errorf("config maxmemory = %q (err %q)", v, ex.Config.Err)
	}
	if ex.Clients == nil || ex.Clients.Count < 2 || !hasClientNamed(ex.Clients, "redis-memtop") {
		t.Errorf("clients = %+v", ex.Clients)
	}
	if ex.Doctor == nil || ex.Doctor.Text == "" || len(ex.Unavailable) != 0 {
		t.Errorf("doctor %+v unavailable %+v", ex.Doctor, ex.Unavailable)
	}
}

func hasClientNamed(c *model.Clients, name string) bool {
	for _, ci := range c.Top {
		if ci.Name == name {
			return true
		}
	}
	return false
}

// TestPollerKillAndRestart: a killed server gives reconnecting states with
// growing attempts and gap samples; once it is back the poller is live again
// and model.History sees the restart (new run_id) and the gap.
func TestPollerKillAndRestart(t *testing.T) {
	srv := redistest.StartServer(t)
	c := connectT(t, optsFor(srv.Addr))
	p := NewPoller(c, 100*time.Millisecond, time.Second)
	p.ExtrasInterval = 0
	f := runPoller(t, p)
	hist := model.NewHistory(1000)
	var events []model.Event
	add := func(u model.Update) {
		if u.Sample != nil {
			events = append(events, hist.Add(*u.Sample)...)
		}
	}
	var before model.Sample
	for range 2 {
		u := f.until(t, "a sample", okSample)
		add(u)
		before = *u.Sample
	}

	srv.Kill()
	var lastAttempt int
	var gap *model.Sample
	for lastAttempt < 2 {
		u := f.next(t)
		add(u)
		if u.Sample != nil && u.Sample.IsGap() {
			gap = u.Sample
		}
		if u.Conn != nil {
			if u.Conn.State != model.ConnReconnecting {
				t.Fatalf("state %s after a kill, want reconnecting", u.Conn.State)
			}
			if u.Conn.Attempt != lastAttempt+1 || u.Conn.Err == "" {
				t.Fatalf("conn = %+v after attempt %d", u.Conn, lastAttempt)
			}
			lastAttempt = u.Conn.Attempt
		}
	}
	if gap == nil || !strings.Contains(gap.Err, "connection") {
		t.Fatalf("gap sample = %+v", gap)
	}

	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	if err := srv.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	for {
		u := f.next(t)
		add(u)
		if u.Conn != nil && u.Conn.State == model.ConnLive {
			break
		}
	}
	u := f.until(t, "a sample after the restart", okSample)
	add(u)
	if u.Sample.Server.RunID == before.Server.RunID {
		t.Fatalf("run_id unchanged across a restart")
	}
	kinds := map[model.EventKind]bool{}
	for _, e := range events {
		kinds[e.Kind] = true
	}
	if !kinds[model.EventRestart] || !kinds[model.EventGapStart] || !kinds[model.EventGapEnd] {
		t.Errorf("history events = %+v", events)
	}
}

// TestPollerStalledServer: a SIGSTOP'd server keeps its socket but does not
// answer: stalled; SIGCONT: live again.
func TestPollerStalledServer(t *testing.T) {
	srv := redistest.StartServer(t)
	o := optsFor(srv.Addr)
	o.CommandTimeout = 300 * time.Millisecond
	o.DialTimeout = 300 * time.Millisecond
	c := connectT(t, o)
	p := NewPoller(c, 100*time.Millisecond, 300*time.Millisecond)
	p.ExtrasInterval = 0
	f := runPoller(t, p)
	f.until(t, "a sample", okSample)

	if err := srv.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Signal(syscall.SIGCONT) })
	u := f.until(t, "a state change", func(u model.Update) bool { return u.Conn != nil })
	if u.Conn.State != model.ConnStalled {
		t.Fatalf("state = %+v, want stalled", u.Conn)
	}
	g := f.until(t, "a gap", func(u model.Update) bool { return u.Sample != nil && u.Sample.IsGap() })
	if !strings.Contains(g.Sample.Err, "timed out") {
		t.Errorf("gap err = %q", g.Sample.Err)
	}
	if err := srv.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	for {
		u := f.next(t)
		if u.Conn == nil {
			continue
		}
		if u.Conn.State == model.ConnLive {
			break
		}
		if u.Conn.State != model.ConnStalled {
			t.Fatalf("state %s while resuming", u.Conn.State)
		}
	}
	f.until(t, "a sample after SIGCONT", okSample)
}

// TestPollerDoesNotBlockWithoutReader: nobody reads the channel; cancelling
// the context still ends Run.
func TestPollerDoesNotBlockWithoutReader(t *testing.T) {
	srv := redistest.StartServer(t)
	c := connectT(t, optsFor(srv.Addr))
	p := NewPoller(c, 50*time.Millisecond, time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, make(chan model.Update)) }()
	time.Sleep(150 * time.Millisecond) // let Run block on its first send
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v, want nil on cancel", err)
		}
	case <-time.After(safety):
		t.Fatal("Run blocked on a send nobody reads")
	}
}

func TestBackoff(t *testing.T) {
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}
	for i, w := range want {
		if got := backoff(i + 1); got != w {
			t.Errorf("backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
}
