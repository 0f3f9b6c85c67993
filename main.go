// Command redis-memtop shows what a Redis server's memory is doing, live, and
// walks the person at the keyboard through a memory incident. The command
// line is package cli; what it runs, package app.
package main

import (
	"os"
	"runtime/pprof"

	"github.com/redis-memtop/redis-memtop/cli"
)

// Set by the release build (-X main.version=…).
var (
	version = "dev"
	commit  = ""
	date    = ""
)

func main() {
	stop := startProfile(os.Getenv("REDIS_MEMTOP_CPUPROFILE"))
	code := cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, cli.Build{Version: version, Commit: commit, Date: date})
	stop()
	os.Exit(code)
}

// startProfile writes a CPU profile to path while the program runs (a
// developer's aid for `make bench` figures; off unless the variable is set).
func startProfile(path string) (stop func()) {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path) //nolint:gosec // the developer names the file
	if err != nil {
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}
}
