package redistest

import (
	"context"
	"testing"
	"time"
)

// WaitTimeout bounds WaitFor: long enough for a cluster to settle or a
// failover to happen on a loaded 2-core runner, short enough that a test
// that will never pass says so.
const WaitTimeout = 30 * time.Second

// attemptTimeout bounds one attempt of WaitForCtx: a server that hangs
// (SIGSTOP, a failover under way) makes the attempt fail, not the wait.
const attemptTimeout = 2 * time.Second

// WaitFor polls cond every 20 ms until it holds, failing the test with
// "timed out waiting for what" after WaitTimeout.
func WaitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	WaitForCtx(tb, what, func(context.Context) bool { return cond() })
}

// WaitForCtx is WaitFor for a condition that asks a server: each attempt
// gets a context of its own, ended after 2 s.
func WaitForCtx(tb testing.TB, what string, cond func(ctx context.Context) bool) {
	tb.Helper()
	deadline := time.Now().Add(WaitTimeout)
	for {
		ctx, cancel := context.WithTimeout(tb.Context(), attemptTimeout)
		ok := cond(ctx)
		cancel()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
