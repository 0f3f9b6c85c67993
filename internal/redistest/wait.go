package redistest

import (
	"testing"
	"time"
)

// WaitTimeout bounds WaitFor: long enough for a cluster to settle or a
// failover to happen on a loaded 2-core runner, short enough that a test
// that will never pass says so.
const WaitTimeout = 30 * time.Second

// WaitFor polls cond every 20 ms until it holds, failing the test with
// "timed out waiting for what" after WaitTimeout.
func WaitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(WaitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
