// Package promtest is the Prometheus half of the test kit: a real
// Prometheus server (Debian's prometheus 2.42, or any on PATH) and a real
// redis_exporter (Debian's prometheus-redis-exporter 1.45), each on a free
// loopback port with its own temporary directory and stopped when the test
// ends, plus helpers to wait for a scrape target to be up and to run an
// instant query through the client_golang API. Like internal/redistest it
// imports testing and is for _test.go files only.
//
// A missing binary fails the test (it never skips): `make test` installs
// both (make ensure-prometheus); PROMETHEUS, PROMTOOL and REDIS_EXPORTER
// name other binaries.
package promtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/redis-memtop/redis-memtop/internal/redisproc"
)

// installHint is what a test that cannot find a binary says.
const installHint = "install them with `make ensure-prometheus` (Debian/Ubuntu: apt-get install prometheus prometheus-redis-exporter; " +
	"elsewhere: https://prometheus.io/download/ and https://github.com/oliver006/redis_exporter/releases) " +
	"or name the binaries with PROMETHEUS, PROMTOOL and REDIS_EXPORTER"

// WaitTimeout bounds the waits of this package: a Prometheus that starts,
// scrapes a target and evaluates a rule on a loaded 2-core runner.
const WaitTimeout = 60 * time.Second

// Options configure a throwaway Prometheus.
type Options struct {
	// ScrapeTargets are host:port addresses scraped at /metrics by the job
	// "promtest".
	ScrapeTargets []string
	// Jobs are more scrape jobs, for a test that tells targets apart by job.
	Jobs []Job
	// RuleFiles are rule files loaded as they are (absolute paths, or
	// relative to the test's working directory).
	RuleFiles []string
	// ScrapeInterval is the global scrape interval; 0 means 1 s.
	ScrapeInterval time.Duration
	// EvaluationInterval is the rules' evaluation interval; 0 means the
	// scrape interval.
	EvaluationInterval time.Duration
}

// Job is one scrape job: its name and its host:port targets.
type Job struct {
	Name    string
	Targets []string
}

// Prometheus is a running throwaway Prometheus.
type Prometheus struct {
	URL  string // http://127.0.0.1:PORT, the base URL of the API
	Addr string // 127.0.0.1:PORT
	Dir  string // its config, rules' copies, log and storage; removed at cleanup

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// binary finds a tool: the env variable when set, else the first of names
// on PATH; missing, it fails the test with how to install it.
func binary(tb testing.TB, env string, names ...string) string {
	tb.Helper()
	if p := os.Getenv(env); p != "" {
		if _, err := os.Stat(p); err != nil {
			tb.Fatalf("%s=%s: %v", env, p, err)
		}
		return p
	}
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	tb.Fatalf("%s not found on PATH: %s", strings.Join(names, " or "), installHint)
	return ""
}

// PrometheusBinary is the prometheus server binary the kit runs.
func PrometheusBinary(tb testing.TB) string {
	tb.Helper()
	return binary(tb, "PROMETHEUS", "prometheus")
}

// PromtoolBinary is promtool, for a test that checks rule files.
func PromtoolBinary(tb testing.TB) string {
	tb.Helper()
	return binary(tb, "PROMTOOL", "promtool")
}

// ExporterBinary is the redis_exporter binary the kit runs (Debian names it
// prometheus-redis-exporter, upstream redis_exporter).
func ExporterBinary(tb testing.TB) string {
	tb.Helper()
	return binary(tb, "REDIS_EXPORTER", "prometheus-redis-exporter", "redis_exporter")
}

// Config is the prometheus.yml StartPrometheus writes for opts, with the
// rule files named as given.
func Config(opts Options) string {
	scrape := opts.ScrapeInterval
	if scrape <= 0 {
		scrape = time.Second
	}
	eval := opts.EvaluationInterval
	if eval <= 0 {
		eval = scrape
	}
	var b strings.Builder
	fmt.Fprintf(&b, "global:\n  scrape_interval: %s\n  scrape_timeout: %s\n  evaluation_interval: %s\n",
		model.Duration(scrape), model.Duration(scrape), model.Duration(eval))
	if len(opts.RuleFiles) > 0 {
		b.WriteString("rule_files:\n")
		for _, f := range opts.RuleFiles {
			fmt.Fprintf(&b, "  - %s\n", strconv.Quote(f))
		}
	}
	jobs := opts.Jobs
	if len(opts.ScrapeTargets) > 0 {
		jobs = append([]Job{{Name: "promtest", Targets: opts.ScrapeTargets}}, jobs...)
	}
	if len(jobs) > 0 {
		b.WriteString("scrape_configs:\n")
	}
	for _, j := range jobs {
		fmt.Fprintf(&b, "  - job_name: %s\n    static_configs:\n      - targets: [", strconv.Quote(j.Name))
		for i, t := range j.Targets {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.Quote(t))
		}
		b.WriteString("]\n")
	}
	return b.String()
}

// StartPrometheus starts prometheus on a free loopback port with opts, its
// storage in a temporary directory, waits until /-/ready answers 200 and
// stops it when the test ends. The rule files are made absolute, so a test
// may name them relative to its package.
func StartPrometheus(tb testing.TB, opts Options) *Prometheus {
	tb.Helper()
	bin := PrometheusBinary(tb)
	opts.RuleFiles = append([]string(nil), opts.RuleFiles...)
	for i, f := range opts.RuleFiles {
		abs, err := filepath.Abs(f)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := os.Stat(abs); err != nil {
			tb.Fatalf("rule file: %v", err)
		}
		opts.RuleFiles[i] = abs
	}
	dir := tb.TempDir()
	conf := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(conf, []byte(Config(opts)), 0o600); err != nil {
		tb.Fatal(err)
	}
	// A port chosen here can be taken before prometheus binds it: choose
	// again a few times instead of failing.
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port, err := redisproc.FreePort()
		if err != nil {
			tb.Fatal(err)
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		p := &Prometheus{URL: "http://" + addr, Addr: addr, Dir: dir}
		logPath := filepath.Join(dir, "prometheus-"+strconv.Itoa(attempt)+".log")
		err = p.launch(tb, bin, logPath,
			"--config.file="+conf,
			"--storage.tsdb.path="+filepath.Join(dir, "data-"+strconv.Itoa(attempt)),
			"--web.listen-address="+addr,
			"--web.enable-lifecycle",
			"--log.level=warn",
		)
		if err == nil {
			tb.Cleanup(p.Stop)
			return p
		}
		lastErr = err
		if !strings.Contains(err.Error(), "address already in use") {
			break
		}
	}
	tb.Fatalf("start prometheus: %v", lastErr)
	return nil
}

func (p *Prometheus) launch(tb testing.TB, bin, logPath string, args ...string) error {
	tb.Helper()
	logf, err := os.Create(logPath) //nolint:gosec // our own temporary directory
	if err != nil {
		return fmt.Errorf("log file: %w", err)
	}
	cmd := exec.Command(bin, args...) //nolint:noctx // stopped by Stop, not by a context
	cmd.Dir = p.Dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		_ = logf.Close()
		return fmt.Errorf("%s: %w", bin, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); _ = logf.Close(); close(done) }()
	p.mu.Lock()
	p.cmd, p.done = cmd, done
	p.mu.Unlock()
	if err := waitHTTP(done, p.URL+"/-/ready", logPath); err != nil {
		p.Stop()
		return err
	}
	return nil
}

// waitHTTP polls url until it answers 200, the process ends (done) or
// WaitTimeout passes; an error carries the tail of the log.
func waitHTTP(done <-chan struct{}, url, logPath string) error {
	deadline := time.Now().Add(WaitTimeout)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
		if resp, err := client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-done:
			return fmt.Errorf("exited at start: %s", logTail(logPath))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready within %s: %s", url, WaitTimeout, logTail(logPath))
		}
	}
}

// logTail is the last five lines of a log, joined.
func logTail(path string) string {
	b, err := os.ReadFile(path) //nolint:gosec // our own temporary directory
	if err != nil {
		return "no log"
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return strings.Join(lines, " | ")
}

// Stop ends prometheus (SIGTERM, SIGKILL after 10 s) and waits for it. A
// test may call it mid-run to see what a Prometheus that went away does;
// calling it again does nothing.
func (p *Prometheus) Stop() {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.cmd = nil
	p.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// API is a client_golang v1 API for p.
func (p *Prometheus) API(tb testing.TB) v1.API {
	tb.Helper()
	c, err := api.NewClient(api.Config{Address: p.URL})
	if err != nil {
		tb.Fatal(err)
	}
	return v1.NewAPI(c)
}

// Query runs an instant query now and returns its vector (a scalar or
// string result fails the test; so does an error).
func (p *Prometheus) Query(tb testing.TB, expr string) model.Vector {
	tb.Helper()
	ctx, cancel := context.WithTimeout(tb.Context(), 10*time.Second)
	defer cancel()
	v, err := p.query(ctx, tb, expr)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

func (p *Prometheus) query(ctx context.Context, tb testing.TB, expr string) (model.Vector, error) {
	tb.Helper()
	res, _, _, err := p.API(tb).Query(ctx, expr, time.Now())
	if err != nil {
		return nil, fmt.Errorf("query %q: %w", expr, err)
	}
	v, ok := res.(model.Vector)
	if !ok {
		return nil, fmt.Errorf("query %q: a %s, not a vector", expr, res.Type())
	}
	return v, nil
}

// WaitQuery runs the instant query expr until cond holds for its result,
// failing the test after WaitTimeout with what and the last result. It
// returns the vector cond accepted.
func (p *Prometheus) WaitQuery(tb testing.TB, what, expr string, cond func(model.Vector) bool) model.Vector {
	tb.Helper()
	return p.WaitQueryFor(tb, WaitTimeout, what, expr, cond)
}

// WaitQueryFor is WaitQuery with its own timeout.
func (p *Prometheus) WaitQueryFor(tb testing.TB, timeout time.Duration, what, expr string, cond func(model.Vector) bool) model.Vector {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	var last model.Vector
	var lastErr error
	for {
		ctx, cancel := context.WithTimeout(tb.Context(), 5*time.Second)
		v, err := p.query(ctx, tb, expr)
		cancel()
		if err == nil {
			last, lastErr = v, nil
			if cond(v) {
				return v
			}
		} else {
			lastErr = err
		}
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s: %s = %v (err %v)", what, expr, last, lastErr)
		}
		select {
		case <-tb.Context().Done():
			tb.Fatalf("waiting for %s: %v", what, tb.Context().Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// WaitTargetUp waits until prometheus has scraped target (host:port)
// successfully, failing the test with the target's last error after
// WaitTimeout.
func (p *Prometheus) WaitTargetUp(tb testing.TB, target string) {
	tb.Helper()
	deadline := time.Now().Add(WaitTimeout)
	var last string
	for {
		ctx, cancel := context.WithTimeout(tb.Context(), 5*time.Second)
		res, err := p.API(tb).Targets(ctx)
		cancel()
		if err != nil {
			last = err.Error()
		} else {
			last = "not among the active targets"
			for _, at := range res.Active {
				if string(at.Labels[model.InstanceLabel]) != target && !strings.Contains(at.ScrapeURL, "//"+target+"/") {
					continue
				}
				if at.Health == v1.HealthGood {
					return
				}
				last = fmt.Sprintf("health %s, last error %q", at.Health, at.LastError)
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for target %s to be up: %s", target, last)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// StartExporter starts redis_exporter for the server at redisAddr
// (host:port) on a free loopback port, waits until its /metrics answers
// with redis_up 1 and stops it when the test ends. It returns the
// exporter's host:port, a scrape target.
func StartExporter(tb testing.TB, redisAddr string) string {
	tb.Helper()
	bin := ExporterBinary(tb)
	dir := tb.TempDir()
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port, err := redisproc.FreePort()
		if err != nil {
			tb.Fatal(err)
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		logPath := filepath.Join(dir, "exporter-"+strconv.Itoa(attempt)+".log")
		lastErr = startExporter(tb, bin, addr, redisAddr, logPath)
		if lastErr == nil {
			return addr
		}
		if !strings.Contains(lastErr.Error(), "address already in use") {
			break
		}
	}
	tb.Fatalf("start redis_exporter: %v", lastErr)
	return ""
}

func startExporter(tb testing.TB, bin, addr, redisAddr, logPath string) error {
	tb.Helper()
	logf, err := os.Create(logPath) //nolint:gosec // our own temporary directory
	if err != nil {
		return fmt.Errorf("log file: %w", err)
	}
	cmd := exec.Command(bin, //nolint:noctx // stopped at cleanup, not by a context
		"--web.listen-address", addr,
		"--redis.addr", "redis://"+redisAddr,
	)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		_ = logf.Close()
		return fmt.Errorf("%s: %w", bin, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); _ = logf.Close(); close(done) }()
	stop := func() {
		_ = cmd.Process.Kill()
		<-done
	}
	if err := waitExporterUp(done, "http://"+addr+"/metrics", logPath); err != nil {
		stop()
		return err
	}
	tb.Cleanup(stop)
	return nil
}

// waitExporterUp polls the exporter's /metrics until it says redis_up 1.
func waitExporterUp(done <-chan struct{}, url, logPath string) error {
	deadline := time.Now().Add(WaitTimeout)
	client := &http.Client{Timeout: 5 * time.Second}
	last := "no answer"
	for {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
		if resp, err := client.Do(req); err == nil {
			b, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK && hasLine(string(b), "redis_up 1") {
				return nil
			}
			last = "HTTP " + resp.Status + ", redis_up not 1"
		} else {
			last = err.Error()
		}
		select {
		case <-done:
			return errors.New("exited at start: " + logTail(logPath))
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not up within %s (%s): %s", url, WaitTimeout, last, logTail(logPath))
		}
	}
}

func hasLine(text, line string) bool {
	for l := range strings.SplitSeq(text, "\n") {
		if strings.TrimSpace(l) == line {
			return true
		}
	}
	return false
}

// Scrape fetches http://target/metrics (host:port) and returns its body:
// what a test reads to see which metric names an exporter really serves.
func Scrape(tb testing.TB, target string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(tb.Context(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+target+"/metrics", nil)
	if err != nil {
		tb.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("scrape %s: %v", target, err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		tb.Fatalf("scrape %s: HTTP %s, %v", target, resp.Status, err)
	}
	return string(b)
}
