//go:build linux

package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
)

var (
	nsOpRE  = regexp.MustCompile(`BenchmarkViewFull/200x60\S*\s+\d+\s+([0-9.]+) ns/op`)
	cpuOpRE = regexp.MustCompile(`([0-9.]+) cpu-ns/op`)
)

// viewRow is target 6: `go test -bench BenchmarkViewFull/200x60` in ./ui
// (a frame of the monitor's real panes at 200×60 over a full 15-minute
// history, with full big-keys top lists and prefixes, and the checklist).
func viewRow(ctx context.Context) row {
	name := "6 View() at 200x60, full history + big keys + checklist"
	fail := func(err error) row { return row{name: name, theirs: na, note: "skipped: " + err.Error()} }
	gomod, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return fail(fmt.Errorf("go env GOMOD: %w", err))
	}
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", "^BenchmarkViewFull$/^200x60$", "-benchtime", "300x", "-count", "3", "./ui/")
	cmd.Dir = filepath.Dir(string(bytes.TrimSpace(gomod)))
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fail(fmt.Errorf("go test -bench: %w: %s", err, tail(string(out))))
	}
	var ns []float64
	for _, m := range nsOpRE.FindAllSubmatch(out, -1) {
		v, err := strconv.ParseFloat(string(m[1]), 64)
		if err == nil {
			ns = append(ns, v)
		}
	}
	if len(ns) == 0 {
		return fail(fmt.Errorf("no ns/op in: %s", tail(string(out))))
	}
	var cpu []float64
	for _, m := range cpuOpRE.FindAllSubmatch(out, -1) {
		if v, err := strconv.ParseFloat(string(m[1]), 64); err == nil {
			cpu = append(cpu, v)
		}
	}
	fmt.Printf("\nView() 200x60 (BenchmarkViewFull, 300 frames x %d runs): %v ns/op wall, %v ns/op of process CPU\n", len(ns), ns, cpu)
	ms := median(ns) / 1e6
	r := costRow(name, ms, 0, "%.2f ms", 2, "<= 2 ms", fmt.Sprintf("go test -bench BenchmarkViewFull/200x60 ./ui, wall ns/op, median of %d runs; process CPU per frame %.2f ms; no alternative", len(ns), median(cpu)/1e6))
	r.theirs = na
	return r
}
