package redistest

import (
	"testing"

	"github.com/redis/go-redis/v9"
)

// Client is a plain go-redis client for a test's setup and checks: none of
// redis-memtop's guard, RESP2 without CLIENT SETINFO (so the server sees
// only what the test sends), no retries; closed when the test ends.
func Client(tb testing.TB, addr string) *redis.Client {
	tb.Helper()
	c := newClient(addr)
	tb.Cleanup(func() { _ = c.Close() })
	return c
}

// newClient is Client for a connection the kit closes itself as soon as it
// is done, so it is not left in the server's CLIENT LIST for the test to
// count.
func newClient(addr string) *redis.Client {
	return redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true, MaxRetries: -1})
}
