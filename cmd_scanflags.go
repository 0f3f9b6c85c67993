package main

import (
	"flag"
	"time"
)

// scanFlags drive the big-key worker.
type scanFlags struct {
	on      bool
	off     bool
	rate    int
	samples int
	repeat  time.Duration
}

func (s *scanFlags) register(fs *flag.FlagSet, on bool, rate int) {
	fs.BoolVar(&s.on, "scan", on, "run the big-key scan (SCAN + MEMORY USAGE in the background)")
	fs.BoolVar(&s.off, "no-scan", false, "do not scan for big keys")
	fs.IntVar(&s.rate, "scan-rate", rate, "big-key scan budget in keys per second (0 = unlimited)")
	fs.IntVar(&s.samples, "samples", 5, "MEMORY USAGE SAMPLES for the big-key scan (never 0)")
}

func (s *scanFlags) enabled() bool { return s.on && !s.off }

func (s *scanFlags) validate() error {
	if s.rate < 0 {
		return usagef("--scan-rate must be 0 (unlimited) or more")
	}
	if s.samples < 1 {
		return usagef("--samples must be 1 or more: SAMPLES 0 would read every element of a big collection")
	}
	return nil
}
