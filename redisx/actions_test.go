package redisx

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
)

// Every write action is exactly what the guard lets through with
// --allow-writes, and nothing the guard lets through without it.
func TestWriteActionsMatchTheGuard(t *testing.T) {
	if len(WriteActions()) != 5 {
		t.Fatalf("actions = %v", WriteActions())
	}
	for _, a := range WriteActions() {
		if err := Check(true, a.Args()); err != nil {
			t.Errorf("%s refused with --allow-writes: %v", a, err)
		}
		if err := Check(false, a.Args()); !errors.Is(err, ErrForbidden) {
			t.Errorf("%s allowed without --allow-writes", a)
		}
		if a.Describe() == "unknown action" || a.Command() == "" {
			t.Errorf("%s: %q %q", a, a.Command(), a.Describe())
		}
	}
	if got := ActionActiveDefragOn.Command(); got != "CONFIG SET activedefrag yes" {
		t.Errorf("Command = %q", got)
	}
	if WriteAction("FLUSHALL").Args() != nil {
		t.Error("an unknown action has a command")
	}
}

// Without AllowWrites nothing is sent; with it, each action reaches the
// server once and its reply (or refusal) comes back as one line.
func TestRunWrite(t *testing.T) {
	srv := redistest.StartServer(t, "appendonly no")
	plain := redistest.Client(t, srv.Addr)
	ctx := testCtx(t)
	if err := plain.ConfigResetStat(ctx).Err(); err != nil {
		t.Fatal(err)
	}

	ro := connectT(t, optsFor(srv.Addr))
	for _, a := range WriteActions() {
		if _, err := ro.RunWrite(ctx, a); !errors.Is(err, ErrWritesDisabled) {
			t.Errorf("%s without --allow-writes: %v", a, err)
		}
	}
	if _, err := ro.RunWrite(ctx, "FLUSHALL"); err == nil {
		t.Error("an unknown action ran")
	}
	stats := commandStats(t, plain)
	for _, name := range []string{"bgsave", "bgrewriteaof", "memory|purge", "config|set", "flushall"} {
		if stats[name] != 0 {
			t.Errorf("%s reached the server without --allow-writes", name)
		}
	}

	o := optsFor(srv.Addr)
	o.AllowWrites = true
	rw := connectT(t, o)
	before, _ := plain.LastSave(ctx).Result()
	time.Sleep(1100 * time.Millisecond) // LASTSAVE has a one-second resolution
	out, err := rw.RunWrite(ctx, ActionBGSave)
	if err != nil || !strings.Contains(out, "Background saving started") {
		t.Fatalf("BGSAVE: %q %v", out, err)
	}
	deadline := time.Now().Add(safety)
	for {
		after, _ := plain.LastSave(ctx).Result()
		if after > before {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("BGSAVE never completed")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if out, err := rw.RunWrite(ctx, ActionMemoryPurge); err != nil || out != "OK" {
		t.Errorf("MEMORY PURGE: %q %v", out, err)
	}
	if out, err := rw.RunWrite(ctx, ActionActiveDefragNo); err != nil || out != "OK" {
		t.Errorf("activedefrag no: %q %v", out, err)
	}
	// activedefrag yes needs a jemalloc with defrag support: Debian's has
	// none, and the refusal must come back as one clear line; where it is
	// supported the setting must read back.
	out, err = rw.RunWrite(ctx, ActionActiveDefragOn)
	var we *WriteError
	switch {
	case err == nil:
		if v := plain.ConfigGet(ctx, "activedefrag").Val()["activedefrag"]; v != "yes" || out != "OK" {
			t.Errorf("activedefrag yes: reply %q, reads back %q", out, v)
		}
	case errors.As(err, &we):
		if we.Action != ActionActiveDefragOn || strings.ContainsAny(err.Error(), "\r\n") || !strings.Contains(err.Error(), "ACTIVEDEFRAG YES failed") {
			t.Errorf("refusal: %v", err)
		}
	default:
		t.Errorf("activedefrag yes: %v", err)
	}
	if out, err := rw.RunWrite(ctx, ActionBGRewriteAOF); err != nil || !strings.Contains(out, "rewriting") {
		t.Errorf("BGREWRITEAOF: %q %v", out, err)
	}
	stats = commandStats(t, plain)
	modern := redistest.Version(t, srv.Addr).AtLeast(7, 0, 0)
	for _, name := range []string{"bgsave", "memory|purge", "bgrewriteaof"} {
		if stats[statName(modern, name)] != 1 {
			t.Errorf("%s ran %v times, want 1", name, stats[statName(modern, name)])
		}
	}
	// Before 7.0 CONFIG counts its GETs too: at least the two SETs.
	if n := stats[statName(modern, "config|set")]; n != 2 && (modern || n < 2) {
		t.Errorf("config|set ran %v times, want 2", n)
	}
}

// A user the ACL forbids BGSAVE gets a one-line NOPERM, without the
// password.
func TestRunWriteDeniedByACL(t *testing.T) {
	srv := redistest.StartServer(t)
	plain := redistest.Client(t, srv.Addr)
	ctx := testCtx(t)
	if err := plain.Do(ctx, "acl", "setuser", "mon", "on", ">Secr3t-Pw", "~*", "+@read", "+@connection", "+info").Err(); err != nil {
		t.Fatal(err)
	}
	o := optsFor(srv.Addr)
	o.Username, o.Password, o.AllowWrites = "mon", "Secr3t-Pw", true
	c := connectT(t, o)
	_, err := c.RunWrite(ctx, ActionBGSave)
	if err == nil || !strings.Contains(err.Error(), "NOPERM") || strings.Contains(err.Error(), "Secr3t") {
		t.Errorf("BGSAVE as a read-only user: %v", err)
	}
}
