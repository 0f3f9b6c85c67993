package redistest

import (
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/internal/delayproxy"
)

// StartDelayProxy puts a loopback proxy in front of target that holds every
// chunk for delay each way (SetDelay changes it, Cut drops every
// connection: a slow or failing network); it stops when the test ends.
func StartDelayProxy(tb testing.TB, target string, delay time.Duration) *delayproxy.Proxy {
	tb.Helper()
	p, err := delayproxy.Start(tb.Context(), target, delay, delay)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(p.Close)
	return p
}
