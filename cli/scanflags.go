package cli

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

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
	// sample is the share of each database a sampling pass stops at (0:
	// every key); report only (--scan-sample).
	sample sampleFlag
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
	fs.IntVar(&s.rate, "scan-rate", rate, "big-key scan budget in keys per second (0 = unlimited)")
	fs.IntVar(&s.samples, "samples", 5, "MEMORY USAGE SAMPLES for the big-key scan (never 0)")
	fs.BoolVar(&s.replicas, "scan-replicas", false, "Redis Cluster: scan one replica of each master (with READONLY) instead of the masters, so the\n"+
		"scan's load stays off the nodes that serve writes; a master without a replica that answers is not scanned")
}

func (s *scanFlags) enabled() bool { return s.on && !s.off }

// config is the scan's configuration the flags say.
func (s *scanFlags) config() app.ScanConfig {
	return app.ScanConfig{On: s.enabled(), Rate: s.rate, Samples: s.samples, Repeat: s.repeat, Replicas: s.replicas, Sample: float64(s.sample)}
}

func (s *scanFlags) validate() error {
	if s.rate < 0 {
		return usagef("--scan-rate must be 0 (unlimited) or more")
	}
	if s.replicas && !s.enabled() {
		return usagef("--scan-replicas needs the big-key scan (--scan, without --no-scan)")
	}
	if s.sample > 0 && !s.enabled() {
		return usagef("--scan-sample needs the big-key scan (--scan, without --no-scan)")
	}
	if s.samples < 1 {
		return usagef("--samples must be 1 or more: SAMPLES 0 would read every element of a big collection")
	}
	return nil
}
