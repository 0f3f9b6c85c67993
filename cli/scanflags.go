package cli

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"

	"github.com/redis-memtop/redis-memtop/app"
)

// scanFlags drive the big-key worker.
type scanFlags struct {
	on      bool
	off     bool
	rate    int
	samples int
	repeat  time.Duration
	// replicas scans one replica of each master of a cluster instead of
	// the master.
	replicas bool
	// growthEvery is the live monitor's re-measure of the top keys between
	// passes (registerGrowthEvery); growthWait the report's
	// (registerGrowthWait).
	growthEvery time.Duration
	growthWait  time.Duration
	// sample is the share of each database a sampling pass stops at (0:
	// every key); report only (--scan-sample).
	sample sampleFlag
}

// registerGrowthEvery adds the live monitor's --growth-every.
func (s *scanFlags) registerGrowthEvery(fs *flag.FlagSet) {
	fs.DurationVar(&s.growthEvery, "growth-every", time.Minute, "re-measure the biggest keys this often between scan passes (MEMORY USAGE and LLEN/HLEN/XLEN…),\n"+
		"to show their growth per minute in the big-keys pane and flag the keys that keep growing (0 = off)")
}

// registerGrowthWait adds report's --growth-wait.
func (s *scanFlags) registerGrowthWait(fs *flag.FlagSet) {
	fs.DurationVar(&s.growthWait, "growth-wait", 0, "with --scan: after the pass, wait this long (e.g. 60s), re-measure the top keys and report their growth")
}

// sampleFlag is --scan-sample: "5%" or "0.05".
type sampleFlag float64

func (s *sampleFlag) String() string {
	if *s == 0 {
		return ""
	}
	return strconv.FormatFloat(100*float64(*s), 'f', -1, 64) + "%"
}

func (s *sampleFlag) Set(v string) error {
	pct := strings.HasSuffix(v, "%")
	f, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(v, "%")), 64)
	if err != nil {
		return fmt.Errorf("%q is not a share: write 5%% or 0.05", v)
	}
	if pct {
		f /= 100
	}
	if !(f > 0 && f < 1) {
		return fmt.Errorf("%q: the share must be above 0 and below 100%%", v)
	}
	*s = sampleFlag(f)
	return nil
}

// registerSample adds --scan-sample (the report's).
func (s *scanFlags) registerSample(fs *flag.FlagSet) {
	fs.Var(&s.sample, "scan-sample", "stop the big-key pass at this `share` of each database (5% or 0.05) and report\n"+
		"estimated totals, each with its 95 % interval; the big keys listed stay the ones found")
}

func (s *scanFlags) register(fs *flag.FlagSet, on bool, rate int) {
	fs.BoolVar(&s.on, "scan", on, "run the big-key scan (SCAN + MEMORY USAGE in the background)")
	fs.BoolVar(&s.off, "no-scan", false, "do not scan for big keys")
	fs.IntVar(&s.rate, "scan-rate", rate, "big-key scan budget in keys per second; the scan backs off when it makes other clients wait\n"+
		"(a PING probe timed while scanning and in short pauses) and while a fork runs; 0 = unlimited: as fast as the server allows")
	fs.IntVar(&s.samples, "samples", 5, "MEMORY USAGE SAMPLES for the big-key scan (never 0)")
	fs.BoolVar(&s.replicas, "scan-replicas", false, "Redis Cluster: scan one replica of each master (with READONLY) instead of the masters, so the\n"+
		"scan's load stays off the nodes that serve writes; a master without a replica that answers is not scanned")
}

func (s *scanFlags) enabled() bool { return s.on && !s.off }

// warnUnlimited says on a terminal that the scan will go as fast as the
// server allows: --scan-rate 0 is a choice, and the one command people paste
// against production should not make it silently.
func (s *scanFlags) warnUnlimited(stderr io.Writer) {
	if s.enabled() && s.rate == 0 && isTerminal(stderr) {
		fmt.Fprintln(stderr, "redis-memtop: --scan-rate 0: the big-key scan runs as fast as the server allows, with no budget and no back-off")
	}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// config is the scan's configuration the flags say.
func (s *scanFlags) config() app.ScanConfig {
	c := app.ScanConfig{On: s.enabled(), Rate: s.rate, Samples: s.samples, Repeat: s.repeat, Replicas: s.replicas, GrowthWait: s.growthWait, Sample: float64(s.sample)}
	c.WatchEvery = s.growthEvery
	if s.growthEvery == 0 {
		c.WatchEvery = -1 // off
	}
	return c
}

func (s *scanFlags) validate() error {
	if s.rate < 0 {
		return usagef("--scan-rate must be 0 (unlimited) or more")
	}
	if s.replicas && !s.enabled() {
		return usagef("--scan-replicas needs the big-key scan (--scan, without --no-scan)")
	}
	if s.growthEvery < 0 || s.growthWait < 0 {
		return usagef("--growth-every and --growth-wait must be 0 (off) or more")
	}
	if s.growthWait > 0 && !s.enabled() {
		return usagef("--growth-wait re-measures the scan's top keys: it needs --scan")
	}
	if s.sample > 0 && !s.enabled() {
		return usagef("--scan-sample needs the big-key scan (--scan, without --no-scan)")
	}
	if s.samples < 1 {
		return usagef("--samples must be 1 or more: SAMPLES 0 would read every element of a big collection")
	}
	return nil
}
