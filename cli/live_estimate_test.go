package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/app"
	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// TestLiveScanEstimates: the monitor's own wiring, a budgeted scan part-way
// through one database. The big-keys pane shows the estimated totals (≈ …
// ± … %, from the share scanned), and `x` writes them into the evidence
// report (value, low, high, fraction); their intervals hold the totals a
// full pass of the same keys measures afterwards.
func TestLiveScanEstimates(t *testing.T) {
	srv := redistest.StartServer(t)
	w := demo.NewClient(srv.Addr)
	defer func() { _ = w.Close() }()
	ctx := t.Context()
	p := w.Pipeline()
	for i := range 20000 {
		id := strconv.Itoa(i)
		if i%8 == 0 {
			p.HSet(ctx, "user:"+id, "name", strings.Repeat("n", i%60), "mail", "x@y")
		} else {
			p.Set(ctx, "page:"+id, strings.Repeat("p", 20+i%500), 0)
		}
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	o := redisx.DefaultOptions()
	o.Addr = srv.Addr
	r := startLive(t, connectMain(t, o), rigOptions{scan: &app.ScanConfig{Rate: 1000, ProgressEvery: 100 * time.Millisecond}})
	r.until("a scan part-way, past 1,000 keys", func(m ui.Model) bool {
		s := m.Live().Scan
		return s != nil && s.Progress.Phase == model.ScanScanning && s.Result != nil && s.Result.Keys >= 1000 &&
			m.Live().Hist.LastOK() != nil
	})
	if f := r.frame(); !strings.Contains(f, "estimated ≈ ") || !strings.Contains(f, " % (95 %, from ") || !strings.Contains(f, "by type: ") {
		t.Errorf("the pane shows no estimate part-way:\n%s", f)
	}
	t.Chdir(t.TempDir())
	if cmd := r.press("x"); cmd != nil {
		r.m, _ = uiStep(t, r.m, cmd())
	}
	files, _ := filepath.Glob("redis-memtop-report-*.json")
	if len(files) != 1 {
		t.Fatalf("export wrote %v", files)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	var rep model.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	r.stop()
	bk := rep.BigKeys
	if bk == nil || bk.Complete || bk.Estimate == nil {
		t.Fatalf("the export of a partial pass has no estimate: %+v", bk)
	}
	e := bk.Estimate
	if e.Fraction != float64(bk.Scanned)/float64(bk.DBSize) || e.Fraction >= 1 || bk.DBSize != 20000 {
		t.Errorf("fraction %v of %d/%d", e.Fraction, bk.Scanned, bk.DBSize)
	}

	// The full pass of the same keys: its totals lie in the intervals.
	code, out, errOut := runCLI(t, "report", "--quick", "--scan", "--format", "json", "--interval", "100ms", "redis://"+srv.Addr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var full model.Report
	if err := json.Unmarshal([]byte(out), &full); err != nil || full.BigKeys == nil || !full.BigKeys.Complete {
		t.Fatalf("full pass: %v", err)
	}
	if iv := e.Total.Bytes; !iv.Contains(float64(full.BigKeys.Bytes)) || iv.Value <= float64(bk.Bytes) {
		t.Errorf("total bytes ≈ %.0f [%.0f, %.0f] from %d seen; the full pass has %d", iv.Value, iv.Low, iv.High, bk.Bytes, full.BigKeys.Bytes)
	}
	for _, ty := range full.BigKeys.Types {
		if iv := e.Type(ty.Type).Bytes; !iv.Contains(float64(ty.Bytes)) {
			t.Errorf("%s bytes ≈ %.0f [%.0f, %.0f]; the full pass has %d", ty.Type, iv.Value, iv.Low, iv.High, ty.Bytes)
		}
	}
	if md, _ := filepath.Glob("redis-memtop-report-*.md"); len(md) == 1 {
		text, _ := os.ReadFile(md[0])
		if !strings.Contains(string(text), "- Estimated total: ≈ ") {
			t.Errorf("the Markdown export has no estimate:\n%s", text)
		}
	} else {
		t.Errorf("markdown files %v", md)
	}
}
