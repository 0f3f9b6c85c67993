package demo

import (
	"context"
	"fmt"
	"strings"

	"github.com/redis-memtop/redis-memtop/internal/redisproc"
)

// ServerFacts are what a demo server says of itself: what `demo` prints
// before the monitor takes the screen, and what `demo --list` says this
// build can do, from a server actually started.
type ServerFacts struct {
	Product   string // "Redis" or "Valkey"
	Version   string // the product's own version
	Allocator string // mem_allocator
	// Defrag is true when the server accepted CONFIG SET activedefrag yes;
	// DefragRefusal is its answer when it did not.
	Defrag        bool
	DefragRefusal string
}

// Probe asks the server at addr (the demo's own) for its facts. It tries
// CONFIG SET activedefrag yes and puts the old value back: builds without
// defrag support (Debian's jemalloc, libc malloc) refuse it.
func Probe(ctx context.Context, addr string) (ServerFacts, error) {
	c := NewClient(addr)
	defer func() { _ = c.Close() }()
	s, err := infoText(ctx, c, "server", "memory")
	if err != nil {
		return ServerFacts{}, fmt.Errorf("demo: INFO: %w", err)
	}
	f := ParseInfoFields(s)
	facts := ServerFacts{Product: "Redis", Version: f["redis_version"], Allocator: f["mem_allocator"]}
	if v := f["valkey_version"]; v != "" || f["server_name"] == "valkey" {
		facts.Product = "Valkey"
		if v != "" {
			facts.Version = v
		}
	}
	old := "no"
	if kv, err := c.ConfigGet(ctx, "activedefrag").Result(); err == nil && kv["activedefrag"] != "" {
		old = kv["activedefrag"]
	}
	if err := c.ConfigSet(ctx, "activedefrag", "yes").Err(); err != nil {
		facts.DefragRefusal = refusal(err)
		return facts, nil
	}
	facts.Defrag = true
	if err := c.ConfigSet(ctx, "activedefrag", old).Err(); err != nil {
		return facts, fmt.Errorf("demo: CONFIG SET activedefrag %s: %w", old, err)
	}
	return facts, nil
}

// refusal is a server's error without its "ERR CONFIG SET failed … - "
// preamble.
func refusal(err error) string {
	reason := err.Error()
	if _, after, ok := strings.Cut(reason, " - "); ok {
		reason = after
	}
	return reason
}

// ProbeBinary starts the redis-server binary ("" = from PATH) on a free
// loopback port, probes it and stops it.
func ProbeBinary(ctx context.Context, binary string) (string, ServerFacts, error) {
	srv, err := redisproc.Start(ctx, redisproc.Options{Binary: binary})
	if err != nil {
		return "", ServerFacts{}, err //nolint:wrapcheck // redisproc's errors start with "demo:" and say what failed
	}
	defer srv.Stop()
	facts, err := Probe(ctx, srv.Addr)
	return srv.Binary, facts, err
}

// String is "Redis 7.0.15, jemalloc-5.3.0".
func (f ServerFacts) String() string {
	s := f.Product + " " + f.Version
	if f.Allocator != "" {
		s += ", " + f.Allocator
	}
	return s
}

// DefragLine says how the fragmentation part ends on this build.
func (f ServerFacts) DefragLine() string {
	if f.Defrag {
		return "active defrag: this build has it — the fragmentation part ends with CONFIG SET activedefrag yes bringing the ratio down"
	}
	why := ""
	if f.DefragRefusal != "" {
		why = " (" + f.DefragRefusal + ")"
	}
	return "active defrag: not in this build" + why + " — the fragmentation part ends with the other cure, SAVE and a restart, instead"
}

// HasFragmentation says whether the scenario runs the fragmentation part
// (itself, or as a part of the tour, whose captions name their part).
func (sc Scenario) HasFragmentation() bool {
	name := fragmentationPart().Name
	if sc.Name == name {
		return true
	}
	for _, st := range sc.Stages {
		if strings.HasPrefix(st.Caption, name+" — ") {
			return true
		}
	}
	return false
}
