package redisx

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/internal/redisproc"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
)

// TestAllocatorTellsDefragSupport: on every build at hand, the jemalloc
// version ReadExtras reads (MEMORY MALLOC-STATS, read-only) says what the
// server itself answers to CONFIG SET activedefrag yes, sent here on a
// throwaway server by the test only: Debian's redis-server (system
// jemalloc) refuses it, the builds with Redis's bundled jemalloc take it.
func TestAllocatorTellsDefragSupport(t *testing.T) {
	// The system's server (or REDIS_SERVER) and the matrix's builds beside
	// the repository (../shared/servers), where they exist.
	sys := redistest.RequireServer(t)
	more, _ := filepath.Glob("../../shared/servers/*/redis-server")
	bins := []string{sys}
	for _, b := range more {
		if abs, err := filepath.Abs(b); err == nil {
			bins = append(bins, abs) // the server starts in a directory of its own
		}
	}
	ran := 0
	for _, bin := range bins {
		if _, err := os.Stat(bin); err != nil {
			continue
		}
		ran++
		t.Run(filepath.Base(filepath.Dir(bin)), func(t *testing.T) {
			s, err := redisproc.Start(testCtx(t), redisproc.Options{Binary: bin})
			if err != nil {
				t.Fatalf("start %s: %v", bin, err)
			}
			t.Cleanup(s.Stop)
			c := connectT(t, Options{Addr: s.Addr})
			ex := c.ReadExtras(testCtx(t), time.Now())
			if ex.Allocator == nil || ex.Allocator.Version == "" {
				t.Fatalf("no allocator version: %+v", ex.Allocator)
			}
			again := c.ReadExtras(testCtx(t), time.Now())
			if again.Allocator != ex.Allocator {
				t.Error("MEMORY MALLOC-STATS read again: it is meant to be read once a connection")
			}
			refused := redistest.Client(t, s.Addr).ConfigSet(testCtx(t), "activedefrag", "yes").Err()
			bundled := strings.HasSuffix(ex.Allocator.Version, "-g0")
			if bundled == (refused != nil) {
				t.Errorf("jemalloc %q, CONFIG SET activedefrag yes: %v", ex.Allocator.Version, refused)
			}
			t.Logf("%s: jemalloc %q, CONFIG SET activedefrag yes: %v", bin, ex.Allocator.Version, refused)
		})
	}
	if ran == 0 {
		t.Skip("no redis-server at hand")
	}
}
