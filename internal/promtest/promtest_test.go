package promtest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/common/model"

	"github.com/redis-memtop/redis-memtop/internal/promtest"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
)

// The kit end to end: a real server under a real redis_exporter, scraped by
// a real Prometheus every second with a rule file loaded; the target comes
// up, an instant query sees the server's redis_up and the recording rule's
// result carries the server's maxmemory.
func TestPrometheusScrapesExporter(t *testing.T) {
	srv := redistest.StartServer(t, "maxmemory 12345678")
	exp := promtest.StartExporter(t, srv.Addr)
	if body := promtest.Scrape(t, exp); !strings.Contains(body, "redis_memory_max_bytes 1.2345678e+07") {
		t.Fatalf("exporter's /metrics has no redis_memory_max_bytes for the server:\n%.2000s", body)
	}
	rules := filepath.Join(t.TempDir(), "rules.yml")
	if err := os.WriteFile(rules, []byte("groups:\n  - name: promtest\n    rules:\n      - record: promtest:maxmemory\n        expr: redis_memory_max_bytes\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := promtest.StartPrometheus(t, promtest.Options{ScrapeTargets: []string{exp}, RuleFiles: []string{rules}})
	if !strings.HasPrefix(p.URL, "http://127.0.0.1:") {
		t.Fatalf("URL = %q, want loopback", p.URL)
	}
	p.WaitTargetUp(t, exp)
	v := p.WaitQuery(t, "redis_up from the exporter", `redis_up{job="promtest"}`, func(v model.Vector) bool { return len(v) == 1 })
	if v[0].Value != 1 || string(v[0].Metric[model.InstanceLabel]) != exp {
		t.Fatalf("redis_up = %v, want 1 for instance %s", v, exp)
	}
	p.WaitQuery(t, "the recording rule", `promtest:maxmemory`, func(v model.Vector) bool {
		return len(v) == 1 && v[0].Value == 12345678
	})
	p.Stop()
	p.Stop() // a second Stop does nothing
}

func TestConfig(t *testing.T) {
	got := promtest.Config(promtest.Options{ScrapeTargets: []string{"127.0.0.1:1"}, RuleFiles: []string{"/r.yml"}, Jobs: []promtest.Job{{Name: "b", Targets: []string{"127.0.0.1:2", "127.0.0.1:3"}}}})
	want := `global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - "/r.yml"
scrape_configs:
  - job_name: "promtest"
    static_configs:
      - targets: ["127.0.0.1:1"]
  - job_name: "b"
    static_configs:
      - targets: ["127.0.0.1:2", "127.0.0.1:3"]
`
	if got != want {
		t.Fatalf("Config =\n%s\nwant\n%s", got, want)
	}
}
