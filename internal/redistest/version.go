package redistest

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ServerVersion is what a running server says it is, for a test that
// takes the path of the server it runs against (the matrix runs every
// test against several builds) instead of skipping.
type ServerVersion struct {
	Major, Minor, Patch int
	Text                string // redis_version as the server says it: Valkey 8.0.1 says 7.2.4, the 8.0-m01 milestone 7.9.224
	Valkey              bool   // server_name:valkey
}

// AtLeast reports whether the server's redis_version is major.minor.patch
// or newer: the compatibility level every product announces.
func (v ServerVersion) AtLeast(major, minor, patch int) bool {
	if v.Major != major {
		return v.Major > major
	}
	if v.Minor != minor {
		return v.Minor > minor
	}
	return v.Patch >= patch
}

func (v ServerVersion) String() string {
	if v.Valkey {
		return "valkey (redis_version " + v.Text + ")"
	}
	return "redis " + v.Text
}

// Version reads INFO server from addr.
func Version(tb testing.TB, addr string) ServerVersion {
	tb.Helper()
	c := newClient(addr)
	defer func() { _ = c.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	text, err := c.Info(ctx, "server").Result()
	if err != nil {
		tb.Fatalf("INFO server from %s: %v", addr, err)
	}
	var v ServerVersion
	for _, line := range strings.Split(text, "\n") {
		k, val, ok := strings.Cut(strings.TrimSpace(line), ":")
		switch {
		case !ok:
		case k == "redis_version":
			v.Text = val
			parts := strings.SplitN(val, ".", 3)
			nums := []*int{&v.Major, &v.Minor, &v.Patch}
			for i, p := range parts {
				*nums[i], _ = strconv.Atoi(p)
			}
		case k == "server_name" && val == "valkey":
			v.Valkey = true
		}
	}
	if v.Text == "" {
		tb.Fatalf("INFO server from %s has no redis_version", addr)
	}
	return v
}
