package promx

import (
	"strconv"
	"strings"
	"testing"
	"time"

	pm "github.com/prometheus/common/model"

	"github.com/redis-memtop/redis-memtop/model"
)

func TestSameAddr(t *testing.T) {
	for _, tc := range []struct {
		label, host, port string
		want              bool
	}{
		{"10.0.0.5:6379", "10.0.0.5", "6379", true},
		{"redis://10.0.0.5:6379", "10.0.0.5", "6379", true},
		{"rediss://user@cache.example:6380/0", "cache.example", "6380", true},
		{"localhost:6379", "127.0.0.1", "6379", true},
		{"10.0.0.5:9121", "10.0.0.5", "6379", false}, // the exporter's own port
		{"10.0.0.6:6379", "10.0.0.5", "6379", false},
		{"", "10.0.0.5", "6379", false},
	} {
		if got := sameAddr(tc.label, tc.host, tc.port); got != tc.want {
			t.Errorf("sameAddr(%q, %q, %q) = %v", tc.label, tc.host, tc.port, got)
		}
	}
}

// scrapeAt is one scrape of used_memory (and redis_up).
func scrapeAt(used, up float64) *scrape {
	s := &scrape{}
	s.add(pm.Metric{pm.MetricNameLabel: "redis_up"}, up)
	s.add(pm.Metric{pm.MetricNameLabel: "redis_memory_used_bytes"}, used)
	s.add(pm.Metric{pm.MetricNameLabel: "redis_db_keys", "db": "db0"}, 5)
	s.add(pm.Metric{pm.MetricNameLabel: "redis_db_keys", "db": "db3"}, 0)
	s.add(pm.Metric{pm.MetricNameLabel: "redis_instance_info", "run_id": "abc", "redis_version": "7.2.4", "role": "master"}, 1)
	return s
}

// TestAssemble: scrapes become samples in time order; a missed scrape is a
// gap, and so is one where the exporter could not read the server; scrapes
// finer than the poll period are thinned; only the newest max are kept.
func TestAssemble(t *testing.T) {
	base := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	at := func(sec float64) int64 { return base.Add(time.Duration(sec * float64(time.Second))).UnixMilli() }
	by := map[int64]*scrape{
		at(0): scrapeAt(1, 1), at(15): scrapeAt(2, 1), at(30): scrapeAt(3, 1),
		// 45 and 60 missed
		at(75): scrapeAt(6, 1), at(90): scrapeAt(0, 0), at(105): scrapeAt(8, 1), at(106): scrapeAt(9, 1),
	}
	got := assemble(by, 15*time.Second, time.Second*10, 0, model.ProductValkey)
	var line []string
	for _, s := range got {
		if !s.Backfilled {
			t.Errorf("sample at %s not marked backfilled", s.Time)
		}
		sec := s.Time.Sub(base).Seconds()
		if s.IsGap() {
			line = append(line, "gap@"+ftoa(sec))
			continue
		}
		line = append(line, ftoa(s.Memory.UsedMemory.V)+"@"+ftoa(sec))
	}
	if want := "1@0 2@15 3@30 gap@45 6@75 gap@90 8@105"; strings.Join(line, " ") != want {
		t.Errorf("samples %q, want %q", strings.Join(line, " "), want)
	}
	s := got[0]
	if s.Server.RunID != "abc" || s.Server.Product != model.ProductValkey || len(s.Keyspace) != 1 || s.Keyspace[0].DB != 0 || s.TotalKeys().V != 5 {
		t.Errorf("first sample: run_id %q product %q keyspace %+v", s.Server.RunID, s.Server.Product, s.Keyspace)
	}
	if kept := assemble(by, 15*time.Second, 10*time.Second, 2, ""); len(kept) != 2 || kept[1].Memory.UsedMemory.V != 8 {
		t.Errorf("max 2 kept %d, the newest last: %+v", len(kept), kept)
	}
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func TestRedactedNeverShowsCredentials(t *testing.T) {
	o := Options{URL: "https://admin:hunter2@prom.example:9090/prefix?token=hunter3"}
	if got := o.Redacted(); got != "https://prom.example:9090/prefix" {
		t.Errorf("Redacted = %q", got)
	}
	if _, err := New(Options{URL: "prom.example:9090"}); err == nil {
		t.Error("a URL without a scheme is accepted")
	}
	if _, err := New(Options{URL: "http://u:p@prom:9090", BearerToken: "t"}); err == nil {
		t.Error("a token with basic auth is accepted")
	}
}
