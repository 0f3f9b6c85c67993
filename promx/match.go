package promx

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	pm "github.com/prometheus/common/model"

	"github.com/redis-memtop/redis-memtop/model"
)

// Target is the server whose series are wanted, as the live connection
// knows it.
type Target struct {
	// RunID is INFO server's run_id: the surest match, since it names the
	// process whatever address the exporter reached it by.
	RunID string
	// Addr is host:port ("" for a unix socket: no address match then).
	Addr string
}

// Match is the series found for a target: the labels that select them and
// how they were found.
type Match struct {
	Instance, Job string
	// By is "run_id", "address" or "host and port".
	By string
}

// Selector is the label matchers of the target's series.
func (m Match) Selector() string {
	return fmt.Sprintf(`instance=%q,job=%q`, m.Instance, m.Job)
}

// Describe says how the series were found, in a few words.
func (m Match) Describe() string {
	return fmt.Sprintf("matched by %s: instance %s, job %s", m.By, m.Instance, m.Job)
}

// Find looks for the target's series among redis_instance_info over the
// window ending at now: by run_id first; then by address (the exporter's
// instance label, or its addr label in multi-target mode, naming the
// target); then by the host of the instance and the tcp_port label (an
// exporter beside the server). When nothing matches, the error says why.
func (c *Client) Find(ctx context.Context, t Target, now time.Time, window time.Duration) (Match, error) {
	if t.RunID != "" {
		sets, err := c.series(ctx, fmt.Sprintf(`redis_instance_info{run_id=%q}`, t.RunID), now, window)
		if err != nil {
			return Match{}, err
		}
		if len(sets) > 0 {
			return matchOf(sets[0], "run_id"), nil
		}
	}
	sets, err := c.series(ctx, `redis_instance_info`, now, window)
	if err != nil {
		return Match{}, err
	}
	if len(sets) == 0 {
		return Match{}, &QueryError{Msg: fmt.Sprintf("no redis_instance_info series in the last %s (is redis_exporter scraped by this Prometheus?)", model.Duration(window))}
	}
	host, port, _ := net.SplitHostPort(t.Addr)
	if t.Addr != "" {
		for _, ls := range sets {
			if sameAddr(string(ls["instance"]), host, port) || sameAddr(string(ls["addr"]), host, port) {
				return matchOf(ls, "address"), nil
			}
		}
		for _, ls := range sets {
			ih, _, err := net.SplitHostPort(strings.TrimPrefix(strings.TrimPrefix(string(ls["instance"]), "redis://"), "rediss://"))
			if err == nil && sameHost(ih, host) && string(ls["tcp_port"]) == port {
				return matchOf(ls, "host and port"), nil
			}
		}
	}
	return Match{}, &QueryError{Msg: noMatch(t, sets)}
}

// noMatch says why no series matched: what was looked for, and what there is.
func noMatch(t Target, sets []pm.LabelSet) string {
	var seen []string
	for _, ls := range sets {
		if i := string(ls["instance"]); !slices.Contains(seen, i) {
			seen = append(seen, i)
		}
	}
	slices.Sort(seen)
	more := ""
	if len(seen) > 5 {
		more = fmt.Sprintf(" and %d more", len(seen)-5)
		seen = seen[:5]
	}
	var want []string
	if t.RunID != "" {
		want = append(want, "run_id "+short(t.RunID))
	}
	if t.Addr != "" {
		want = append(want, "address "+t.Addr)
	}
	if len(want) == 0 {
		want = append(want, "a run_id or an address")
	}
	return fmt.Sprintf("no redis_instance_info with %s among %d instance(s): %s%s", strings.Join(want, " nor "), len(sets), strings.Join(seen, ", "), more)
}

func short(id string) string {
	if len(id) > 8 {
		return id[:8] + "…"
	}
	return id
}

func matchOf(ls pm.LabelSet, by string) Match {
	return Match{Instance: string(ls["instance"]), Job: string(ls["job"]), By: by}
}

// sameAddr reports whether a label names host:port, with or without a
// redis:// or rediss:// scheme.
func sameAddr(label, host, port string) bool {
	if label == "" {
		return false
	}
	for _, p := range []string{"redis://", "rediss://"} {
		label = strings.TrimPrefix(label, p)
	}
	if i := strings.IndexAny(label, "/?"); i >= 0 {
		label = label[:i]
	}
	if i := strings.LastIndex(label, "@"); i >= 0 {
		label = label[i+1:]
	}
	h, p, err := net.SplitHostPort(label)
	return err == nil && p == port && sameHost(h, host)
}

// sameHost treats the loopback names as one host.
func sameHost(a, b string) bool {
	loop := func(h string) bool { return h == "localhost" || h == "127.0.0.1" || h == "::1" }
	return strings.EqualFold(a, b) || loop(a) && loop(b)
}

func (c *Client) series(ctx context.Context, match string, now time.Time, window time.Duration) ([]pm.LabelSet, error) {
	qctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	sets, _, _, err := c.api.Series(qctx, []string{match}, now.Add(-window), now)
	if err != nil {
		return nil, c.fail(err)
	}
	return sets, nil
}
