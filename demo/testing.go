package demo

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// StartForTest starts a throwaway server for a test and stops it when the test
// ends. Without a redis-server binary the test fails in CI (CI set) and is
// skipped elsewhere, with a message saying how to install one.
func StartForTest(tb testing.TB, config ...string) *Server {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := Start(ctx, Options{Binary: os.Getenv("REDIS_SERVER"), Config: config})
	if errors.Is(err, ErrNoRedisServer) && os.Getenv("CI") == "" {
		tb.Skip(err.Error())
	}
	if err != nil {
		tb.Fatalf("start redis-server: %v", err)
	}
	tb.Cleanup(s.Stop)
	return s
}

// StartSentinelForTest starts redis-server in sentinel mode (argv[0]
// holding "redis-sentinel" is how redis-server picks the mode) watching
// master as "mymaster" with the quorum, plus the extra directives, and
// stops it when the test ends. A missing binary fails in CI and skips
// elsewhere, as StartForTest.
func StartSentinelForTest(tb testing.TB, master *Server, quorum int, config ...string) *Server {
	tb.Helper()
	bin, err := FindRedisServer(os.Getenv("REDIS_SERVER"))
	if errors.Is(err, ErrNoRedisServer) && os.Getenv("CI") == "" {
		tb.Skip(err.Error())
	}
	if err != nil {
		tb.Fatalf("find redis-server: %v", err)
	}
	link := filepath.Join(tb.TempDir(), "redis-sentinel")
	if err := os.Symlink(bin, link); err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := Start(ctx, Options{Binary: link, Config: append([]string{
		"sentinel monitor mymaster 127.0.0.1 " + strconv.Itoa(master.Port) + " " + strconv.Itoa(quorum),
	}, config...)})
	if err != nil {
		tb.Fatalf("start sentinel: %v", err)
	}
	tb.Cleanup(s.Stop)
	return s
}
