package redisx

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/internal/redisproc"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
)

// startSentinels starts n sentinels watching master as mymaster, with a
// quorum of 2 and a one-second down-after, so a failover takes seconds.
func startSentinels(t *testing.T, master *redisproc.Server, n int) []*redisproc.Server {
	t.Helper()
	out := make([]*redisproc.Server, 0, n)
	for range n {
		out = append(out, redistest.StartSentinel(t, master, 2,
			"sentinel down-after-milliseconds mymaster 1000", "sentinel failover-timeout mymaster 5000"))
	}
	return out
}

// waitSentinel polls cond every 100 ms until it holds or the safety bound passes.
func waitSentinel(t *testing.T, what string, cond func(ctx context.Context) bool) {
	t.Helper()
	deadline := time.Now().Add(safety)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		ok := cond(ctx)
		cancel()
		if ok {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("gave up waiting for %s", what)
}

func TestSentinelResolveAndFollowFailover(t *testing.T) {
	master := redistest.StartServer(t)
	replica := redistest.StartServer(t, "replicaof 127.0.0.1 "+strconv.Itoa(master.Port))
	mc := plainClient(t, master.Addr)
	waitSentinel(t, "the replica to attach", func(ctx context.Context) bool {
		text, err := mc.Info(ctx, "replication").Result()
		return err == nil && strings.Contains(text, "connected_slaves:1")
	})
	sentinels := startSentinels(t, master, 3)
	addrs := make([]string, 0, len(sentinels))
	for _, s := range sentinels {
		addrs = append(addrs, s.Addr)
		sc := plainClient(t, s.Addr)
		// Each sentinel must know the other two and the replica before the
		// master dies, or there is no quorum and no one to promote.
		waitSentinel(t, "sentinel "+s.Addr+" to see its peers and the replica", func(ctx context.Context) bool {
			m, err := sc.Do(ctx, "SENTINEL", "MASTER", "mymaster").Result()
			if err != nil {
				return false
			}
			f := sentinelFields(m)
			return f["num-other-sentinels"] == "2" && f["num-slaves"] == "1"
		})
	}
	so := optsFor("")
	so.DialTimeout, so.CommandTimeout = 500*time.Millisecond, time.Second
	ctx := testCtx(t)

	// A dead sentinel first: the next one answers.
	dead := "127.0.0.1:" + strconv.Itoa(freePort(t))
	got, err := ResolveMaster(ctx, append([]string{dead}, addrs...), "mymaster", so)
	if err != nil || got != master.Addr {
		t.Fatalf("ResolveMaster = %q, %v; want %s", got, err, master.Addr)
	}
	if _, err := ResolveMaster(ctx, addrs, "nosuch", so); !errors.Is(err, ErrNoSuchMaster) || !strings.Contains(err.Error(), "nosuch") {
		t.Fatalf("unknown master: err = %v, want ErrNoSuchMaster naming it", err)
	}
	if _, err := ResolveMaster(ctx, []string{dead}, "mymaster", so); err == nil || !strings.HasPrefix(err.Error(), "no sentinel answered") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("dead sentinels: err = %v, want one line 'no sentinel answered'", err)
	}

	mo := optsFor(got)
	mo.CommandTimeout = time.Second
	c := connectT(t, mo)
	p := NewSentinelPoller(c, addrs, "mymaster", so, 200*time.Millisecond)
	p.ExtrasInterval = 0
	rctx, cancel := context.WithCancel(ctx)
	out := make(chan model.Update, 64)
	ran := make(chan struct{})
	go func() { defer close(ran); _ = p.Run(rctx, out) }()
	defer func() {
		cancel()
		select {
		case <-ran:
		case <-time.After(safety):
			t.Error("SentinelPoller.Run did not return after cancel")
		}
	}()

	next := func(what string) model.Update {
		t.Helper()
		select {
		case u := <-out:
			return u
		case <-time.After(40 * time.Second):
			t.Fatalf("no update while waiting for %s", what)
			return model.Update{}
		}
	}
	for {
		u := next("the first sample")
		if u.Sample != nil && !u.Sample.IsGap() {
			if string(u.Sample.Server.Role) != "master" {
				t.Fatalf("first sample role %q, want master", u.Sample.Server.Role)
			}
			break
		}
	}

	first, changed := p.Current()
	if first != c {
		t.Fatal("Current() before a failover is not the client given")
	}
	select {
	case <-changed:
		t.Fatal("the change channel is closed before any failover")
	default:
	}

	master.Kill()
	var ev *model.Event
	gaps := 0
	for ev == nil {
		u := next("the failover event")
		if u.Sample != nil && u.Sample.IsGap() {
			gaps++
		}
		ev = u.Event
	}
	if ev.Kind != model.EventFailover || ev.Detail != master.Addr+" → "+replica.Addr {
		t.Fatalf("event = %+v, want failover %s → %s", ev, master.Addr, replica.Addr)
	}
	if gaps == 0 {
		t.Error("the dead master left no gap before the failover")
	}
	if a := p.Client().Options().Addr; a != replica.Addr {
		t.Fatalf("Client() = %s, want the promoted replica %s", a, replica.Addr)
	}
	select {
	case <-changed:
	default:
		t.Fatal("the change channel was not closed by the failover")
	}
	now, again := p.Current()
	if now != p.Client() {
		t.Error("Current() and Client() disagree after the failover")
	}
	select {
	case <-again:
		t.Error("the channel Current() gives after the failover is already closed")
	default:
	}
	for {
		u := next("a sample from the new master")
		if u.Sample != nil && !u.Sample.IsGap() {
			if string(u.Sample.Server.Role) != "master" || int(u.Sample.Server.TCPPort.V) != replica.Port {
				t.Fatalf("sample after failover: role %q port %v, want master on %d", u.Sample.Server.Role, u.Sample.Server.TCPPort, replica.Port)
			}
			break
		}
	}
}

// sentinelFields turns SENTINEL MASTER's reply (a flat list in RESP2, a map
// in RESP3) into a map.
func sentinelFields(reply any) map[string]string {
	f := map[string]string{}
	switch v := reply.(type) {
	case []any:
		for i := 0; i+1 < len(v); i += 2 {
			k, _ := v[i].(string)
			val, _ := v[i+1].(string)
			f[k] = val
		}
	case map[any]any:
		for k, val := range v {
			ks, _ := k.(string)
			vs, _ := val.(string)
			f[ks] = vs
		}
	}
	return f
}

func freePort(t *testing.T) int {
	t.Helper()
	p, err := redisproc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return p
}
