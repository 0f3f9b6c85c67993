package demo

import (
	"syscall"
	"testing"
)

func TestStartStopRestart(t *testing.T) {
	s := StartForTest(t, "maxmemory 64mb")
	if err := ping(s.Addr); err != nil {
		t.Fatalf("ping: %v", err)
	}
	s.Kill()
	if err := ping(s.Addr); err == nil {
		t.Fatal("server still answers after Kill")
	}
	if err := s.Restart(t.Context()); err != nil {
		t.Fatalf("restart: %v", err)
	}
	if err := ping(s.Addr); err != nil {
		t.Fatalf("ping after restart: %v", err)
	}
	if err := s.Signal(syscall.SIGCONT); err != nil {
		t.Fatalf("signal: %v", err)
	}
}
