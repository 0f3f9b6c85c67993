// Package clustertest gives tests a throwaway Redis Cluster: demo's
// builder (three masters and their replicas, joined with plain CLUSTER
// commands, so no redis-cli is needed) with the test kit's rules. It is a
// package of its own, apart from redistest, because it imports demo, whose
// own tests use redistest.
package clustertest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
)

// buildTimeout bounds building a cluster: six servers and the join on a
// loaded 2-core runner.
const buildTimeout = 60 * time.Second

// build starts a cluster with REDIS_SERVER as the binary unless opts names
// one.
func build(opts demo.ClusterOptions) (*demo.Cluster, error) {
	if opts.Binary == "" {
		opts.Binary = os.Getenv("REDIS_SERVER")
	}
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	c, err := demo.StartCluster(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("start a test cluster: %w", err)
	}
	return c, nil
}

// Start builds a cluster of the test's own (one it may break: kill or
// stall nodes) and stops it when the test ends. A missing redis-server
// fails in CI and skips elsewhere.
func Start(tb testing.TB, opts demo.ClusterOptions) *demo.Cluster {
	tb.Helper()
	c, err := build(opts)
	redistest.SkipWithoutServer(tb, err)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Close)
	return c
}

// Shared is one cluster for every test of a test binary that only reads
// it, built by the first test that asks, then prepared (loaded) once. The
// package's TestMain calls Close after m.Run.
type Shared struct {
	Options demo.ClusterOptions
	Prepare func(ctx context.Context, c *demo.Cluster) error // nil: nothing to load

	once sync.Once
	c    *demo.Cluster
	err  error
}

// Get returns the shared cluster, building it on first use. Tests must not
// change its topology. A missing redis-server fails in CI and skips
// elsewhere.
func (s *Shared) Get(tb testing.TB) *demo.Cluster {
	tb.Helper()
	s.once.Do(func() {
		s.c, s.err = build(s.Options)
		if s.err == nil && s.Prepare != nil {
			ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
			defer cancel()
			if s.err = s.Prepare(ctx, s.c); s.err != nil {
				s.c.Close()
				s.c = nil
			}
		}
	})
	redistest.SkipWithoutServer(tb, s.err)
	if s.err != nil {
		tb.Fatal(s.err)
	}
	return s.c
}

// Close stops the shared cluster if it was built.
func (s *Shared) Close() {
	if s.c != nil {
		s.c.Close()
	}
}

// NewClient is a cluster-aware client seeded with every node, speaking
// RESP2 without CLIENT SETINFO, as a plain test client should; the caller
// closes it.
func NewClient(c *demo.Cluster) *redis.ClusterClient {
	return redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs(), Protocol: 2, DisableIdentity: true})
}

// LoadUneven writes ~24 MB under the hash tag {a} (3,000 keys of 8 kB, all
// on one master) and 300 small keys spread over every slot: a cluster whose
// masters differ, for the balance checks and the cluster-wide scan.
func LoadUneven(ctx context.Context, cc *redis.ClusterClient) error {
	val := strings.Repeat("x", 8000)
	for b := range 30 {
		if _, err := cc.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i := range 100 {
				p.Set(ctx, fmt.Sprintf("{a}:big:%d", b*100+i), val, 0)
			}
			return nil
		}); err != nil {
			return fmt.Errorf("load {a}: %w", err)
		}
	}
	for i := range 300 {
		if err := cc.Set(ctx, fmt.Sprintf("small:%d", i), "v", 0).Err(); err != nil {
			return fmt.Errorf("load small: %w", err)
		}
	}
	return nil
}
