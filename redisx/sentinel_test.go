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

func TestSentinelResolveAndFollowFailover(t *testing.T) {
	master := redistest.StartServer(t)
	replica := redistest.StartServer(t, "replicaof 127.0.0.1 "+strconv.Itoa(master.Port))
	mc := redistest.Client(t, master.Addr)
	redistest.WaitForCtx(t, "the replica to attach", func(ctx context.Context) bool {
		text, err := mc.Info(ctx, "replication").Result()
		return err == nil && strings.Contains(text, "connected_slaves:1")
	})
	sentinels := redistest.StartSentinelTrio(t, master)
	addrs := make([]string, 0, len(sentinels))
	for _, s := range sentinels {
		addrs = append(addrs, s.Addr)
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

func freePort(t *testing.T) int {
	t.Helper()
	p, err := redisproc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return p
}
