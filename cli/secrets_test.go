package cli

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/internal/redisproc"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/redisx"
)

// The password of these tests: distinctive, and with characters a URI must
// escape, so both spellings are looked for.
const secretPw = "Pw:s3cr3t@x/y%z"

var secretForms = []string{secretPw, url.QueryEscape(secretPw), url.PathEscape(secretPw), "s3cr3t"}

// assertNoSecret fails when any spelling of the password is in text.
func assertNoSecret(t *testing.T, what string, text []byte) {
	t.Helper()
	for _, f := range secretForms {
		if i := bytes.Index(text, []byte(f)); i >= 0 {
			t.Errorf("%s holds the password (%q) at %d: %q", what, f, i, text[max(i-40, 0):min(i+40, len(text))])
		}
	}
}

// uriWith is redis://[user:]password@addr with the password escaped.
func uriWith(user, addr string) string {
	return "redis://" + url.UserPassword(user, secretPw).String() + "@" + addr
}

// TestSecretsNeverInOutputs: report runs (Markdown, JSON, -o FILE) with the
// password from -a, the URI and REDISCLI_AUTH, and failing runs (wrong
// password, TLS to a plain port, nothing listening, a bad URI) for each
// source and for the monitor too: no output, file or error message holds it.
func TestSecretsNeverInOutputs(t *testing.T) {
	srv := redistest.StartServer(t, "requirepass "+strconv.Quote(secretPw))
	port := strconv.Itoa(srv.Port)
	free, err := redisproc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	type source struct {
		name string
		args func(target []string) []string // target: -p PORT, or the URI's host:port
		env  string
	}
	sources := []source{
		{"-a", func(tg []string) []string { return append([]string{"-a", secretPw}, tg...) }, ""},
		{"URI", func(tg []string) []string {
			if tg[0] == "-p" {
				return []string{uriWith("default", "127.0.0.1:"+tg[1])}
			}
			return tg
		}, ""},
		{"REDISCLI_AUTH", func(tg []string) []string { return tg }, secretPw},
	}
	for _, s := range sources {
		t.Run(s.name, func(t *testing.T) {
			t.Setenv("REDISCLI_AUTH", s.env)
			for i, format := range []string{"markdown", "json"} {
				out := filepath.Join(dir, s.name+strconv.Itoa(i)+".out")
				code, stdout, stderr := runCLI(t, append([]string{"report", "--quick", "--scan", "--format", format, "--interval", "100ms", "-o", out}, s.args([]string{"-p", port})...)...)
				if code != 0 {
					t.Fatalf("report %s: exit %d: %s", format, code, stderr)
				}
				file, err := os.ReadFile(out)
				if err != nil || len(file) == 0 {
					t.Fatalf("report file: %v", err)
				}
				assertNoSecret(t, "report stdout", []byte(stdout))
				assertNoSecret(t, "report stderr", []byte(stderr))
				assertNoSecret(t, "report "+format, file)
			}
			// Failures: each one line on stderr, none with the password.
			failing := map[string][]string{
				"refused": {"-p", strconv.Itoa(free)},
				"TLS":     {"--tls", "--insecure", "--connect-timeout", "300ms", "-p", port},
			}
			for what, tg := range failing {
				for _, sub := range []string{"report", "monitor"} {
					args := s.args(tg)
					if sub == "report" {
						args = append([]string{"report"}, args...)
					}
					if s.name == "URI" && what == "TLS" {
						args = []string{"--insecure", "--connect-timeout", "300ms", strings.Replace(uriWith("default", srv.Addr), "redis://", "rediss://", 1)}
						if sub == "report" {
							args = append([]string{"report"}, args...)
						}
					}
					code, stdout, stderr := runCLI(t, args...)
					if code != ExitRuntime || strings.Count(strings.TrimSpace(stderr), "\n") > 1 {
						t.Errorf("%s %s: exit %d, stderr %q", sub, what, code, stderr)
					}
					assertNoSecret(t, sub+" "+what+" stdout", []byte(stdout))
					assertNoSecret(t, sub+" "+what+" stderr", []byte(stderr))
				}
			}
		})
	}
	// A wrong password, from each source: the server's WRONGPASS never
	// echoes it, nor does the tool.
	t.Setenv("REDISCLI_AUTH", "")
	wrong := "Wr0ng-" + secretPw
	for _, args := range [][]string{
		{"report", "-a", wrong, "-p", port},
		{"report", "redis://" + url.UserPassword("default", wrong).String() + "@" + srv.Addr},
		{"-a", wrong, "-p", port},
	} {
		code, stdout, stderr := runCLI(t, args...)
		if code != ExitRuntime || !strings.Contains(stderr, "authentication failed") {
			t.Errorf("%v: exit %d: %q", args[0], code, stderr)
		}
		assertNoSecret(t, "wrong password stderr", []byte(stdout+stderr))
	}
	// A URI that does not parse.
	code, stdout, stderr := runCLI(t, "report", "redis://user:"+secretPw+"@[::1")
	if code != ExitUsage {
		t.Errorf("bad URI: exit %d", code)
	}
	assertNoSecret(t, "bad URI output", []byte(stdout+stderr))
}

// TestSecretsNotInFormattedOptions: the options print redacted however they
// are formatted, so neither a log line nor a panic value can show the
// password.
func TestSecretsNotInFormattedOptions(t *testing.T) {
	o, err := redisx.ParseURI(uriWith("alice", "10.0.0.5:6380"))
	if err != nil {
		t.Fatal(err)
	}
	if o.Password != secretPw {
		t.Fatalf("password parsed as %q", o.Password)
	}
	holder := struct {
		Opts redisx.Options
		Ptr  *redisx.Options
	}{o, &o}
	text := fmt.Sprintf("%v %+v %#v %s %v %+v %q", o, o, o, o, &o, holder, o)
	assertNoSecret(t, "formatted options", []byte(text))
	if !strings.Contains(text, "alice@10.0.0.5:6380") {
		t.Errorf("formatted options lost the target: %s", text)
	}
	func() {
		defer func() {
			assertNoSecret(t, "panic value", []byte(fmt.Sprint(recover())))
		}()
		panic(fmt.Sprintf("cannot use %v", o))
	}()
}

// TestSecretsHelperProcess is the program itself, run by the tests below
// in a child process on a pseudo-terminal (GO_MEMTOP_HELPER=1).
func TestSecretsHelperProcess(t *testing.T) {
	if os.Getenv("GO_MEMTOP_HELPER") != "1" {
		t.Skip("helper process for the pty tests")
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	os.Exit(Main(args, os.Stdin, os.Stdout, os.Stderr, Build{Version: "dev"}))
}

// ptyTranscript collects what a child writes to its terminal.
type ptyTranscript struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (p *ptyTranscript) bytes() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return bytes.Clone(p.buf.Bytes())
}

func (p *ptyTranscript) waitFor(t *testing.T, what string) {
	t.Helper()
	deadline := time.Now().Add(trustSafety)
	for !bytes.Contains(p.bytes(), []byte(what)) {
		if time.Now().After(deadline) {
			t.Fatalf("the terminal never showed %q; it got %d bytes: %q", what, len(p.bytes()), p.bytes()[max(len(p.bytes())-300, 0):])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSecretsMonitorOnATerminal runs the real monitor on a pseudo-terminal
// with the password from -a, the URI, REDISCLI_AUTH and --askpass, records
// the run (--record) and exports the report (x): neither the screen, nor
// the recording, nor the report files hold the password. The process title
// (/proc/PID/cmdline) is what the user typed: it holds the password given
// by -a or in the URI — as redis-cli's does, which is why both warn and the
// README prefers REDISCLI_AUTH or --askpass — and never the one given by
// REDISCLI_AUTH or --askpass.
func TestSecretsMonitorOnATerminal(t *testing.T) {
	srv := redistest.StartServer(t, "requirepass "+strconv.Quote(secretPw))
	port := strconv.Itoa(srv.Port)
	cases := []struct {
		name      string
		args      []string
		env       string
		askpass   bool
		inCmdline bool
	}{
		{"-a", []string{"-a", secretPw, "-p", port}, "", false, true},
		{"URI", []string{uriWith("default", srv.Addr)}, "", false, true},
		{"REDISCLI_AUTH", []string{"-p", port}, secretPw, false, false},
		{"--askpass", []string{"--askpass", "-p", port}, "", true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			master, slave := redistest.OpenPTY(t, 120, 40)
			args := append([]string{"-test.run=^TestSecretsHelperProcess$", "--", "--record", filepath.Join(dir, "run.jsonl"), "--interval", "200ms"}, tc.args...)
			cmd := exec.Command(os.Args[0], args...) //nolint:noctx // the test binary itself, as the helper process; it must outlive no context
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GO_MEMTOP_HELPER=1", "TERM=xterm-256color", "REDISCLI_AUTH="+tc.env)
			cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
			cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			t.Cleanup(func() {
				_ = cmd.Process.Kill()
				if err := <-exited; err != nil {
					t.Logf("the monitor: %v", err)
				}
			})
			tr := &ptyTranscript{}
			go func() {
				buf := make([]byte, 32<<10)
				for {
					n, err := master.Read(buf)
					tr.mu.Lock()
					tr.buf.Write(buf[:n])
					tr.mu.Unlock()
					if err != nil {
						return
					}
				}
			}()
			if tc.askpass {
				tr.waitFor(t, "Please input password: ")
				if _, err := master.Write([]byte(secretPw + "\r")); err != nil {
					t.Fatal(err)
				}
			}
			tr.waitFor(t, "live")
			cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/cmdline")
			if err != nil {
				t.Fatal(err)
			}
			if has := bytes.Contains(cmdline, []byte(secretPw)) || bytes.Contains(cmdline, []byte(url.PathEscape(secretPw))) ||
				bytes.Contains(cmdline, []byte("s3cr3t")); has != tc.inCmdline {
				t.Errorf("password in /proc/PID/cmdline: %v, want %v (%q)", has, tc.inCmdline, bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '}))
			}
			if _, err := master.Write([]byte("x")); err != nil {
				t.Fatal(err)
			}
			tr.waitFor(t, "report written to")
			if _, err := master.Write([]byte("q")); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-exited:
				exited <- err
				if err != nil {
					t.Errorf("the monitor exited with %v", err)
				}
			case <-time.After(trustSafety):
				t.Fatal("q did not end the monitor")
			}
			screen := tr.bytes()
			if tc.askpass && bytes.Contains(screen, []byte(secretPw)) {
				t.Error("--askpass echoed the password")
			}
			assertNoSecret(t, "the terminal", screen)
			files, _ := filepath.Glob(filepath.Join(dir, "*"))
			if len(files) != 3 {
				t.Errorf("files written: %v (want the recording and the report's .md and .json)", files)
			}
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil || len(b) == 0 {
					t.Fatalf("%s: %v", f, err)
				}
				assertNoSecret(t, filepath.Base(f), b)
			}
		})
	}
}
