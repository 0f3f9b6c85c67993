package cli

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/redis-memtop/redis-memtop/internal/redisproc"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
)

// startOneSentinel starts a sentinel watching master as mymaster (quorum
// 1) with the extra directives.
func startOneSentinel(t *testing.T, master *redisproc.Server, config ...string) *redisproc.Server {
	t.Helper()
	return redistest.StartSentinel(t, master, 1, config...)
}

func TestReportThroughSentinel(t *testing.T) {
	master := redistest.StartServer(t)
	sent := startOneSentinel(t, master, "requirepass s3nt-pw")
	free, err := redisproc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	dead := "127.0.0.1:" + strconv.Itoa(free)

	// A dead sentinel first, then the live one: the report is the master's.
	code, out, errOut := runCLI(t, "report", "--quick", "--format", "json", "--interval", "100ms",
		"--sentinel", dead+","+sent.Addr, "--master-name", "mymaster", "--sentinel-password", "s3nt-pw")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		Target struct {
			Addr string `json:"addr"`
		} `json:"target"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("report JSON: %v", err)
	}
	if rep.Target.Addr != "redis://"+master.Addr+"/0" {
		t.Errorf("report target %q, want the master %s", rep.Target.Addr, master.Addr)
	}

	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown master", []string{"--sentinel", sent.Addr, "--master-name", "nosuch", "--sentinel-password", "s3nt-pw"}, "sentinel knows no master named nosuch"},
		{"wrong sentinel password", []string{"--sentinel", sent.Addr, "--master-name", "mymaster", "--sentinel-password", "wrong-s3cr3t"}, "no sentinel answered"},
		{"no sentinel", []string{"--sentinel", dead, "--master-name", "mymaster", "--connect-timeout", "500ms"}, "no sentinel answered"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, append([]string{"report", "--quick", "--interval", "100ms"}, tt.args...)...)
			if code != ExitRuntime {
				t.Errorf("exit %d, want %d", code, ExitRuntime)
			}
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], tt.want) {
				t.Errorf("stderr %q: want one line with %q", errOut, tt.want)
			}
			if strings.Contains(errOut, "s3cr3t") || strings.Contains(errOut, "s3nt-pw") {
				t.Errorf("stderr leaks a password: %q", errOut)
			}
		})
	}
}

func TestSentinelUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"report", "--sentinel", "127.0.0.1:26379"},
		{"report", "--master-name", "mymaster"},
		{"report", "--sentinel", "127.0.0.1:26379", "--master-name", "m", "-c"},
		{"--sentinel", ",", "--master-name", "m"},
	} {
		t.Run(fmt.Sprint(args), func(t *testing.T) {
			if code, _, errOut := runCLI(t, args...); code != ExitUsage {
				t.Errorf("exit %d, want %d (stderr %q)", code, ExitUsage, errOut)
			}
		})
	}
}
