package cli

import (
	"bytes"
	"flag"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestManAndCompletionsCoverEveryFlag runs `man` and `completion bash` as a
// user would and finds every flag of every command's own flag set in them,
// so the help, the man page and the completions cannot disagree.
func TestManAndCompletionsCoverEveryFlag(t *testing.T) {
	code, man, errOut := runCLI(t, "man")
	if code != ExitOK || errOut != "" {
		t.Fatalf("man: exit %d, %s", code, errOut)
	}
	code, bash, errOut := runCLI(t, "completion", "bash")
	if code != ExitOK || errOut != "" {
		t.Fatalf("completion bash: exit %d, %s", code, errOut)
	}
	var (
		cf  connFlags
		uf  uiFlags
		rf  reportFlags
		df  uiFlags
		bin string
		l   bool
		fst bool
		hld time.Duration
		pf  replayFlags
		af  agentFlags
	)
	sets := map[string]*flag.FlagSet{
		"monitor": newMonitorFlagSet(io.Discard, &cf, &uf),
		"report":  newReportFlagSet(io.Discard, &rf),
		"demo":    newDemoFlagSet(io.Discard, &df, &bin, &l, &fst, &hld),
		"replay":  newReplayFlagSet(io.Discard, &pf),
		"agent":   newAgentFlagSet(io.Discard, &af),
	}
	roffMan := strings.ReplaceAll(man, `\-`, "-")
	for cmd, fs := range sets {
		fs.VisitAll(func(f *flag.Flag) {
			dash := "-"
			if len(f.Name) > 1 {
				dash = "--"
			}
			if !strings.Contains(roffMan, dash+f.Name) {
				t.Errorf("%s %s%s is not in the man page", cmd, dash, f.Name)
			}
			if !strings.Contains(bash, dash+f.Name) {
				t.Errorf("%s %s%s is not in the bash completion", cmd, dash, f.Name)
			}
		})
	}
	if _, err := exec.LookPath("bash"); err == nil {
		c := exec.CommandContext(t.Context(), "bash", "-n")
		c.Stdin = bytes.NewBufferString(bash)
		if out, err := c.CombinedOutput(); err != nil {
			t.Errorf("bash -n rejects the completion: %v\n%s", err, out)
		}
	}
	if code, _, errOut := runCLI(t, "completion", "tcsh"); code != ExitUsage || !strings.Contains(errOut, "bash, zsh, fish") {
		t.Errorf("completion tcsh: exit %d, %q", code, errOut)
	}
}
