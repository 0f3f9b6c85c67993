package demo

import (
	"context"
	"errors"
	"os"
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
