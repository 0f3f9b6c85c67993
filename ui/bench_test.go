package ui

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/themes"
)

// BenchmarkView renders a whole frame from a full 15-minute history at 1 s
// (900 samples).
func BenchmarkView(b *testing.B) {
	samples := synth{n: 900, maxmemory: 256 * mb, bgsave: true, gap: true, restart: true}.samples()
	for _, sz := range [][2]int{{120, 40}, {200, 60}} {
		b.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(b *testing.B) {
			m := New(Options{Theme: themes.NameDark, Target: testTarget, History: 15 * time.Minute, Window: 15 * time.Minute})
			nm, _ := m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			m = nm.(Model)
			for i := range samples {
				nm, _ = m.Update(model.Update{Sample: &samples[i]})
				m = nm.(Model)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}

// fullScanState is a finished second pass over 200,000 keys under 300
// top-level prefixes: both top-100 lists full, the prefix tree at its cap,
// growth against the first pass.
func fullScanState() *model.ScanState {
	add := func(a *model.BigKeysAgg, pass int) {
		for i := range 200_000 {
			a.Add(&model.KeyInfo{
				Key:  fmt.Sprintf("ns%d:user:%d:field%d", i%300, i, i%7),
				Type: [...]string{"hash", "list", "set", "zset", "string"}[i%5], Encoding: "listpack",
				Bytes: int64(100 + i%9973*37*pass), Elements: int64(i % 5003), TTL: int64(i%90000) - 1,
			})
		}
	}
	first := model.NewBigKeysAgg(model.BigKeysConfig{}, nil)
	add(first, 1)
	prev := first.Snapshot()
	a := model.NewBigKeysAgg(model.BigKeysConfig{}, prev)
	add(a, 2)
	start := t0.Add(890 * time.Second)
	return &model.ScanState{Prev: prev, Result: a.Snapshot(), Progress: model.ScanProgress{
		Phase: model.ScanDone, Pass: 2, Scanned: 200_000, DBSize: 200_000, KeysPerSec: 150_000,
		StartedAt: start, Elapsed: 1333 * time.Millisecond, DoneAt: start.Add(1333 * time.Millisecond), Samples: 5, DBs: []int{0},
	}}
}

// BenchmarkViewFull is issue 8 target 6 (View() ≤ 2 ms at 200×60): the
// monitor's real panes — big keys with full top lists and prefixes, and the
// checklist with its verdict — over a full 15-minute history at 1 s.
// `go run ./bench` runs it and puts the 200x60 ns/op in its table.
func BenchmarkViewFull(b *testing.B) {
	samples := synth{n: 900, maxmemory: 256 * mb, bgsave: true, gap: true, restart: true}.samples()
	st := fullScanState()
	for _, sz := range [][2]int{{120, 40}, {200, 60}} {
		b.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(b *testing.B) {
			m := New(Options{
				Theme: themes.NameDark, Target: testTarget, History: 15 * time.Minute, Window: 15 * time.Minute,
				ExtraPanes: []Pane{NewBigKeysPane(), NewChecklistPane()},
			})
			nm, _ := m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			m = nm.(Model)
			nm, _ = m.Update(model.Update{Conn: &model.Conn{State: model.ConnLive, Since: samples[0].Time}})
			m = nm.(Model)
			for i := range samples {
				nm, _ = m.Update(model.Update{Sample: &samples[i]})
				m = nm.(Model)
			}
			nm, _ = m.Update(model.Update{Scan: &model.ScanUpdate{Progress: st.Progress, Result: st.Result}})
			m = nm.(Model)
			if m.live.Hist.Len() != len(samples) {
				b.Fatalf("history holds %d samples, want %d", m.live.Hist.Len(), len(samples))
			}
			if frame := ansi.Strip(m.View().Content); !strings.Contains(frame, "Verdict") || !strings.Contains(frame, ":user:") {
				b.Fatalf("the frame lacks the checklist or the big keys:\n%s", frame)
			}
			b.ReportAllocs()
			cpu0 := processCPU()
			b.ResetTimer()
			for b.Loop() {
				_ = m.View()
			}
			// On a shared machine the wall time per frame includes waiting
			// for a core; the process's CPU time per frame (GC included) is
			// what the frame costs.
			b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// processCPU is this process's user+system CPU time, ns.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
