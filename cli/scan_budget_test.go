package cli

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/redisx"
)

// TestReportScanHasABudget: `report --scan` keeps to the budget by default
// (the JSON's governor and the Markdown's speed line say so, and --help says
// why); --scan-rate 0 is unlimited, says so in the report, and on a terminal
// says so on stderr before it starts — never into a pipe.
func TestReportScanHasABudget(t *testing.T) {
	srv := redistest.StartServer(t)
	c := redistest.Client(t, srv.Addr)
	pipe := c.Pipeline()
	for i := range 300 {
		pipe.Set(t.Context(), "k:"+strconv.Itoa(i), "v", 0)
	}
	if _, err := pipe.Exec(t.Context()); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := runCLI(t, "report", "--quick", "--scan", "--format", "json", "--interval", "100ms", "redis://"+srv.Addr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		BigKeys struct {
			Complete bool `json:"complete"`
			Governor struct {
				Rate          int     `json:"rate"`
				SlowestFactor float64 `json:"slowest_factor"`
			} `json:"governor"`
		} `json:"bigkeys"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if g := rep.BigKeys.Governor; !rep.BigKeys.Complete || g.Rate != redisx.DefaultScanRate || g.SlowestFactor != 1 {
		t.Errorf("default report scan: complete %v, governor %+v", rep.BigKeys.Complete, g)
	}
	if strings.Contains(errOut, "as fast as the server allows") {
		t.Errorf("a budgeted scan warned: %q", errOut)
	}

	code, md, errOut := runCLI(t, "report", "--quick", "--scan", "--scan-rate", "0", "--interval", "100ms", "redis://"+srv.Addr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(md, "- Speed: unlimited (--scan-rate 0): as fast as the server allows") {
		t.Errorf("unlimited report lacks its speed line:\n%s", md)
	}
	if strings.Contains(errOut, "--scan-rate 0") {
		t.Errorf("the warning went to a pipe: %q", errOut)
	}

	// On a terminal, --scan-rate 0 says so.
	master, slave := redistest.OpenPTY(t, 120, 40)
	var stdout bytes.Buffer
	code = Run(t.Context(), []string{"report", "--quick", "--scan", "--scan-rate", "0", "--interval", "100ms", "redis://" + srv.Addr}, nil, &stdout, slave, Build{Version: "dev"})
	_ = slave.Close()
	if code != 0 {
		t.Fatalf("exit %d on a terminal", code)
	}
	var tty bytes.Buffer
	buf := make([]byte, 4096)
	for {
		n, err := master.Read(buf)
		tty.Write(buf[:n])
		if err != nil {
			break
		}
	}
	if !strings.Contains(tty.String(), "--scan-rate 0: the big-key scan runs as fast as the server allows") {
		t.Errorf("terminal stderr lacks the unlimited warning: %q", tty.String())
	}

	code, _, errOut = runCLI(t, "report", "--help")
	if code != 0 || !strings.Contains(errOut, "--scan keeps to a budget of 5000 keys/s by default") || !strings.Contains(errOut, "0 = unlimited: as fast as the server allows") {
		t.Errorf("report --help (exit %d) does not state the default and why:\n%s", code, errOut)
	}
}
