// Package redistest is the test kit every package's tests share: throwaway
// servers, clusters and sentinels, a MONITOR observer, a scripted RESP
// server, a delaying proxy, pseudo-terminals, key presses and a polling
// wait. It is imported only by _test.go files (it imports testing); the
// parts a program also needs (the server launcher, the proxy, the
// pseudo-terminal) live in non-test packages it wraps.
package redistest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/internal/redisproc"
)

// SkipWithoutServer is the rule for a missing redis-server binary: it fails
// the test in CI (CI set), where one must be installed, and skips it
// elsewhere with err, which says how to install one.
func SkipWithoutServer(tb testing.TB, err error) {
	tb.Helper()
	if errors.Is(err, redisproc.ErrNoRedisServer) && os.Getenv("CI") == "" {
		tb.Skip(err.Error())
	}
}

// RequireServer returns the redis-server binary tests run (REDIS_SERVER,
// else the one on PATH), for a test that starts servers by other means (a
// demo runner, a cluster). A missing binary fails in CI and skips
// elsewhere.
func RequireServer(tb testing.TB) string {
	tb.Helper()
	bin, err := redisproc.FindRedisServer(os.Getenv("REDIS_SERVER"))
	SkipWithoutServer(tb, err)
	if err != nil {
		tb.Fatalf("find redis-server: %v", err)
	}
	return bin
}

// StartServer starts a throwaway server (REDIS_SERVER names the binary, else
// the one on PATH) with the extra config directives and stops it when the
// test ends. A missing binary fails in CI and skips elsewhere.
func StartServer(tb testing.TB, config ...string) *redisproc.Server {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := redisproc.Start(ctx, redisproc.Options{Binary: os.Getenv("REDIS_SERVER"), Config: config})
	SkipWithoutServer(tb, err)
	if err != nil {
		tb.Fatalf("start redis-server: %v", err)
	}
	tb.Cleanup(s.Stop)
	return s
}

// StartSentinel starts redis-server in sentinel mode (argv[0] holding
// "redis-sentinel" is how redis-server picks the mode) watching master as
// "mymaster" with the quorum, plus the extra directives, and stops it when
// the test ends. A missing binary fails in CI and skips elsewhere.
func StartSentinel(tb testing.TB, master *redisproc.Server, quorum int, config ...string) *redisproc.Server {
	tb.Helper()
	bin := RequireServer(tb)
	link := filepath.Join(tb.TempDir(), "redis-sentinel")
	if err := os.Symlink(bin, link); err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := redisproc.Start(ctx, redisproc.Options{Binary: link, Config: append([]string{
		"sentinel monitor mymaster 127.0.0.1 " + strconv.Itoa(master.Port) + " " + strconv.Itoa(quorum),
	}, config...)})
	if err != nil {
		tb.Fatalf("start sentinel: %v", err)
	}
	tb.Cleanup(s.Stop)
	return s
}

// StartSentinelTrio starts three sentinels watching master as mymaster
// with a quorum of 2, a one-second down-after and a five-second failover
// timeout, so a failover takes seconds, and waits until each knows the
// other two and master's one replica: without that there is no quorum and
// no one to promote.
func StartSentinelTrio(tb testing.TB, master *redisproc.Server) []*redisproc.Server {
	tb.Helper()
	out := make([]*redisproc.Server, 0, 3)
	for range 3 {
		out = append(out, StartSentinel(tb, master, 2,
			"sentinel down-after-milliseconds mymaster 1000", "sentinel failover-timeout mymaster 5000"))
	}
	for _, s := range out {
		sc := newClient(s.Addr)
		WaitForCtx(tb, "sentinel "+s.Addr+" to see its peers and the replica", func(ctx context.Context) bool {
			m, err := sc.Do(ctx, "SENTINEL", "MASTER", "mymaster").StringSlice()
			f := map[string]string{}
			for i := 0; i+1 < len(m); i += 2 {
				f[m[i]] = m[i+1]
			}
			return err == nil && f["num-other-sentinels"] == "2" && f["num-slaves"] == "1"
		})
		_ = sc.Close()
	}
	return out
}
