package cli

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
)

type sampleIv struct {
	Value float64 `json:"value"`
	Low   float64 `json:"low"`
	High  float64 `json:"high"`
}

type sampleGroup struct {
	Name  string   `json:"name"`
	Keys  sampleIv `json:"keys"`
	Bytes sampleIv `json:"bytes"`
}

type sampleReport struct {
	BigKeys struct {
		Complete bool  `json:"complete"`
		Scanned  int64 `json:"scanned"`
		DBSize   int64 `json:"dbsize"`
		Keys     int64 `json:"keys"`
		Bytes    int64 `json:"bytes"`
		Types    []struct {
			Type  string `json:"type"`
			Bytes int64  `json:"bytes"`
		} `json:"types"`
		Top []struct {
			Key   string `json:"key"`
			Bytes int64  `json:"bytes"`
		} `json:"top"`
		Estimate *struct {
			Fraction    float64       `json:"fraction"`
			CapBytes    int64         `json:"cap_bytes"`
			TailBounded bool          `json:"tail_bounded"`
			Total       sampleGroup   `json:"total"`
			Types       []sampleGroup `json:"types"`
		} `json:"estimate"`
	} `json:"bigkeys"`
}

// TestReportScanSampleEstimates runs `report --scan --scan-sample 10%`
// through the real command line against a real server, then the full pass:
// the sampled report stops early, says it is not complete, and writes
// estimates whose intervals hold the full pass's totals; the big keys it
// lists are the ones it found, with their own bytes, never scaled.
func TestReportScanSampleEstimates(t *testing.T) {
	srv := redistest.StartServer(t)
	w := demo.NewClient(srv.Addr)
	defer func() { _ = w.Close() }()
	ctx := t.Context()
	p := w.Pipeline()
	for i := range 40000 {
		id := strconv.Itoa(i)
		switch i % 10 {
		case 0:
			p.HSet(ctx, "user:"+id, "name", strings.Repeat("n", i%50), "mail", "x@y")
		case 1:
			p.RPush(ctx, "feed:"+id, "a", "b", strings.Repeat("c", i%200))
		default:
			p.Set(ctx, "page:"+id, strings.Repeat("p", 20+i%700), time.Hour)
		}
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}

	read := func(args ...string) sampleReport {
		t.Helper()
		code, out, errOut := runCLI(t, append([]string{"report", "--quick", "--scan", "--format", "json", "--interval", "100ms"}, args...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var rep sampleReport
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		return rep
	}
	sampled := read("--scan-sample", "10%", "redis://"+srv.Addr)
	full := read("redis://" + srv.Addr)

	bk := sampled.BigKeys
	if bk.Complete || bk.DBSize != 40000 || bk.Scanned < 4000 || bk.Scanned > 8000 {
		t.Fatalf("sampled pass: complete %v, %d of %d keys scanned; want about 10 %% and not complete", bk.Complete, bk.Scanned, bk.DBSize)
	}
	if full.BigKeys.Estimate != nil || !full.BigKeys.Complete {
		t.Fatalf("a complete pass is exact: estimate %+v", full.BigKeys.Estimate)
	}
	e := bk.Estimate
	if e == nil {
		t.Fatal("a sampled pass writes no estimate")
	}
	if want := float64(bk.Scanned) / float64(bk.DBSize); e.Fraction != want || !e.TailBounded || e.CapBytes <= 0 {
		t.Errorf("fraction %v (want %v), tail bounded %v, cap %d", e.Fraction, want, e.TailBounded, e.CapBytes)
	}
	within := func(what string, iv sampleIv, truth float64) {
		t.Helper()
		if iv.Low > iv.Value || iv.Value > iv.High || truth < iv.Low || truth > iv.High {
			t.Errorf("%s: ≈ %.0f [%.0f, %.0f] does not hold the full pass's %.0f", what, iv.Value, iv.Low, iv.High, truth)
		}
	}
	within("total bytes", e.Total.Bytes, float64(full.BigKeys.Bytes))
	within("total keys", e.Total.Keys, 40000)
	if e.Total.Bytes.Value <= float64(bk.Bytes)*5 {
		t.Errorf("the total is not scaled up: ≈ %.0f from %d bytes seen", e.Total.Bytes.Value, bk.Bytes)
	}
	for _, tt := range full.BigKeys.Types {
		found := false
		for _, g := range e.Types {
			if g.Name == tt.Type {
				found = true
				within("type "+tt.Type, g.Bytes, float64(tt.Bytes))
			}
		}
		if !found {
			t.Errorf("no estimate for type %s", tt.Type)
		}
	}
	// The keys found are listed with their measured bytes.
	if len(bk.Top) == 0 {
		t.Fatal("no big keys listed")
	}
	if got, err := w.MemoryUsage(ctx, bk.Top[0].Key, 5).Result(); err != nil || got != bk.Top[0].Bytes {
		t.Errorf("top key %s: %d bytes listed, MEMORY USAGE %d (%v)", bk.Top[0].Key, bk.Top[0].Bytes, got, err)
	}

	// The Markdown words the same estimate.
	code, md, errOut := runCLI(t, "report", "--quick", "--scan", "--scan-sample", "0.1", "--interval", "100ms", "redis://"+srv.Addr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"- Estimated total: ≈ ", "(95 % interval ", "% of keys)", "### Estimated bytes by type", "| string |",
		// The checks that need every key say the pass was a sample by
		// choice, not a scan still under way.
		"Big keys: a 10 % sample (--scan-sample) — no big key among the ",
		"keys scanned in the sample",
		"Run report --scan without --scan-sample for the full pass.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	for _, wrong := range []string{"scanned so far", "Let the scan finish"} {
		if strings.Contains(md, wrong) {
			t.Errorf("a finished sample reads as a scan under way (%q):\n%s", wrong, md)
		}
	}
	if code, _, errOut := runCLI(t, "report", "--scan-sample", "5%", "redis://"+srv.Addr); code != 2 || !strings.Contains(errOut, "--scan-sample needs") {
		t.Errorf("--scan-sample without --scan: exit %d, %s", code, errOut)
	}
}
