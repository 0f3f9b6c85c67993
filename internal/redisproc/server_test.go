package redisproc_test

import (
	"syscall"
	"testing"

	"github.com/redis-memtop/redis-memtop/internal/redisproc"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
)

func TestStartStopRestart(t *testing.T) {
	s := redistest.StartServer(t, "maxmemory 64mb")
	if err := redisproc.Ping(s.Addr); err != nil {
		t.Fatalf("ping: %v", err)
	}
	s.Kill()
	if err := redisproc.Ping(s.Addr); err == nil {
		t.Fatal("server still answers after Kill")
	}
	if err := s.Restart(t.Context()); err != nil {
		t.Fatalf("restart: %v", err)
	}
	if err := redisproc.Ping(s.Addr); err != nil {
		t.Fatalf("ping after restart: %v", err)
	}
	if err := s.Signal(syscall.SIGCONT); err != nil {
		t.Fatalf("signal: %v", err)
	}
}
