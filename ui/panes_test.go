package ui

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/themes"
)

// dataOf builds Data from samples, as the root would.
func dataOf(samples ...model.Sample) *Data {
	d := &Data{Hist: model.NewHistory(1000), Interval: time.Second, Window: 5 * time.Minute}
	for _, s := range samples {
		d.addEvents(d.Hist.Add(s)...)
		d.Now = s.Time
	}
	return d
}

// renderPane draws one pane without colour.
func renderPane(t *testing.T, p Pane, d *Data, w, h int) string {
	t.Helper()
	out := p.Render(d, themes.NewStyles(themes.Mono()), w, h, false)
	checkFrame(t, out, w, h)
	return ansi.Strip(out)
}

func TestPaneTexts(t *testing.T) {
	t.Parallel()
	base := synth{n: 10, maxmemory: 256 * mb}
	type mut func(s *model.Sample)
	cases := []struct {
		name string
		pane Pane
		mut  mut
		want []string
		not  []string
	}{
		{"dragonfly has no fork", newPersistPane(), func(s *model.Sample) {
			s.Server.Product = model.ProductDragonfly
		}, []string{"no fork (Dragonfly)"}, []string{"last COW"}},
		{"no live COW before 6.2", newPersistPane(), func(s *model.Sample) {
			s.Persistence.RDBBgsaveInProgress = model.Some(1)
			s.Persistence.CurrentCOWSize = model.None()
		}, []string{"BGSAVE running", "no live copy-on-write figure before Redis 6.2"}, nil},
		{"progress and ETA from keys", newPersistPane(), func(s *model.Sample) {
			p := &s.Persistence
			p.RDBBgsaveInProgress = model.Some(1)
			p.RDBCurrentBgsaveTimeSec = model.Some(10)
			p.CurrentSaveKeysProcessed = model.Some(30)
			p.CurrentSaveKeysTotal = model.Some(120)
			p.CurrentCOWSize = model.Some(4 * mb)
			p.CurrentCOWPeak = model.Some(5 * mb)
		}, []string{"BGSAVE running 10s", "25.0% ETA 30s", "30 / 120 keys", "COW now", "4.00M", "peak 5.00M"}, nil},
		{"progress from fork perc", newPersistPane(), func(s *model.Sample) {
			p := &s.Persistence
			p.AOFRewriteInProgress = model.Some(1)
			p.AOFCurrentRewriteTimeSec = model.Some(20)
			p.CurrentSaveKeysTotal = model.None()
			p.CurrentForkPerc = model.Some(80)
		}, []string{"AOF rewrite running 20s", "80.0% ETA 5.0s"}, nil},
		{"failed save", newPersistPane(), func(s *model.Sample) {
			s.Persistence.RDBLastBgsaveStatus = "err"
		}, []string{"last save", "err 13:50:00"}, nil},
		{"fork time per GB", newPersistPane(), func(s *model.Sample) {
			s.Stats.LatestForkUsec = model.Some(20000)
			s.Memory.UsedMemoryRSS = model.Some(2 << 30)
		}, []string{"20ms", "10.0ms/GB"}, nil},
		{"headroom", newPersistPane(), func(s *model.Sample) {
			s.Memory.TotalSystemMemory = model.Some(4 << 30)
			s.Memory.UsedMemoryRSS = model.Some(1 << 30)
		}, []string{"3.00G free"}, nil},
		{"no host RAM", newPersistPane(), func(s *model.Sample) {
			s.Memory.TotalSystemMemory = model.None()
		}, []string{"host RAM not reported"}, nil},
		{"no breakdown before 5.0", newFragPane(), func(s *model.Sample) {
			m := &s.Memory
			m.AllocatorFragRatio, m.AllocatorFragBytes = model.None(), model.None()
			m.AllocatorRSSRatio, m.AllocatorRSSBytes = model.None(), model.None()
			m.RSSOverheadRatio, m.RSSOverheadBytes = model.None(), model.None()
		}, []string{"not reported by this server"}, []string{"allocator frag"}},
		{"small dataset", newFragPane(), func(s *model.Sample) {
			s.Memory.UsedMemory = model.Some(900 * 1024)
			s.Memory.MemFragmentationRatio = model.Some(9.5)
		}, []string{"small dataset", "meaningless"}, []string{"critical"}},
		{"ratio below 1", newFragPane(), func(s *model.Sample) {
			s.Memory.MemFragmentationRatio = model.Some(0.8)
		}, []string{"below 1", "swapped out"}, nil},
		{"frag watch", newFragPane(), func(s *model.Sample) { s.Memory.MemFragmentationRatio = model.Some(1.4) }, []string{"1.40 watch"}, nil},
		{"frag serious", newFragPane(), func(s *model.Sample) { s.Memory.MemFragmentationRatio = model.Some(1.7) }, []string{"1.70 serious"}, nil},
		{"frag critical", newFragPane(), func(s *model.Sample) { s.Memory.MemFragmentationRatio = model.Some(2.5) }, []string{"2.50 critical"}, nil},
		{"largest layer", newFragPane(), func(s *model.Sample) {
			s.Memory.AllocatorFragBytes = model.Some(50 * mb)
		}, []string{"largest: allocator frag", "activedefrag"}, nil},
		{"no limit", newLimitsPane(), func(s *model.Sample) {
			s.Memory.MaxMemory = model.Some(0)
		}, []string{"no limit", "OOM killer"}, []string{"75"}},
		{"limit watch", newLimitsPane(), func(s *model.Sample) {
			s.Memory.UsedMemory = model.Some(0.8 * 256 * mb)
		}, []string{"80.0% watch"}, nil},
		{"limit warn", newLimitsPane(), func(s *model.Sample) {
			s.Memory.UsedMemory = model.Some(0.9 * 256 * mb)
		}, []string{"90.0% warn"}, nil},
		{"no errorstats", newLimitsPane(), func(s *model.Sample) {
			s.Stats.ErrorstatOOM = model.None()
			s.Sections = []string{"memory"}
		}, []string{"no errorstats"}, nil},
		{"replication buffers before 7.0", newLimitsPane(), func(s *model.Sample) {
			s.Memory.MemTotalReplicationBuffers = model.None()
			s.Memory.MemClientsSlaves = model.Some(2 * mb)
			s.Memory.MemReplicationBacklog = model.Some(mb)
		}, []string{"3.00M"}, nil},
		{"keys with and without TTL", newLimitsPane(), func(s *model.Sample) {
			s.Keyspace = []model.DBKeys{{DB: 0, Keys: model.Some(1000), Expires: model.Some(250)}, {DB: 3, Keys: model.Some(500), Expires: model.Some(0)}}
		}, []string{"1.5k", "250 / 1.2k"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			samples := base.samples()
			tc.mut(&samples[len(samples)-1])
			out := renderPane(t, tc.pane, dataOf(samples...), 64, 16)
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(out, w) {
					t.Errorf("has %q:\n%s", w, out)
				}
			}
		})
	}
}

// TestOOMRisingIsCrit: OOM rejections counted in the window make the limit
// gauge critical whatever the usage.
func TestOOMRisingIsCrit(t *testing.T) {
	t.Parallel()
	samples := synth{n: 10, maxmemory: 256 * mb}.samples()
	samples[9].Stats.ErrorstatOOM = model.Some(4)
	out := renderPane(t, newLimitsPane(), dataOf(samples...), 64, 16)
	if !strings.Contains(out, "crit") || !strings.Contains(out, "+4 in 5m") {
		t.Fatalf("OOM rising not critical:\n%s", out)
	}
}

// TestAbsentIsNeverZero: a sample where the server reported nothing shows
// dashes, never a 0 that looks like a value.
func TestAbsentIsNeverZero(t *testing.T) {
	t.Parallel()
	empty := model.Sample{Time: t0}
	for _, p := range []Pane{newMemoryPane(), newFragPane(), newLimitsPane(), newPersistPane()} {
		out := renderPane(t, p, dataOf(empty, model.Sample{Time: t0.Add(time.Second)}), 90, 20)
		for _, zero := range []string{" 0B", " 0/s", " 0.00 ", "0.0%"} {
			if strings.Contains(out, zero) {
				t.Errorf("%s shows %q for an absent figure:\n%s", p.Title(), zero, out)
			}
		}
		if !strings.Contains(out, model.Dash) {
			t.Errorf("%s shows no dash:\n%s", p.Title(), out)
		}
	}
}

// TestBucket: columns take the largest value since the previous point, hold
// a recent sample, and are NaN at a gap or before the first sample.
func TestBucket(t *testing.T) {
	t.Parallel()
	samples := make([]model.Sample, 0, 10)
	for i := range 10 {
		s := model.Sample{Time: t0.Add(time.Duration(i) * time.Second)}
		if i == 5 {
			s.Err = "timeout"
		} else {
			s.Memory.UsedMemory = model.Some(float64(100 + i))
			s.Memory.UsedMemoryRSS = model.Some(float64(200 + i))
		}
		if i == 3 {
			s.Memory.UsedMemory = model.Some(500) // a spike
		}
		samples = append(samples, s)
	}
	d := dataOf(samples...)
	d.Window = 18 * time.Second // twice the data: the first half is empty
	pts, start, span := bucket(d, 18)
	if !start.Equal(t0.Add(-9*time.Second)) || span != 18*time.Second || len(pts) != 19 {
		t.Fatalf("start %v span %v points %d", start, span, len(pts))
	}
	// Point j is at start + j seconds: sample i is at point i+9.
	for j := range 9 {
		if !math.IsNaN(pts[j].used) {
			t.Errorf("point %d before the first sample = %v", j, pts[j].used)
		}
	}
	if pts[9].used != 100 || pts[12].used != 500 || pts[18].used != 109 || pts[18].rss != 209 {
		t.Errorf("points %v %v %v", pts[9], pts[12], pts[18])
	}
	if !math.IsNaN(pts[14].used) || !pts[14].gap {
		t.Errorf("the gap sample's point = %+v", pts[14])
	}

	// Zoomed out: 3 points over the same 9 s; the spike survives.
	d.Window = 9 * time.Second
	pts, _, _ = bucket(d, 3)
	if pts[1].used != 500 {
		t.Errorf("the spike was lost when zoomed out: %+v", pts)
	}
	if !pts[2].gap || pts[2].used != 106 || pts[3].used != 109 || pts[3].gap {
		t.Errorf("a column with a gap and samples: %+v", pts[2])
	}
}

// TestGraphGeometry: the plot is exactly as wide as asked, and a flat series
// still spans the rows (the bounded axis).
func TestGraphGeometry(t *testing.T) {
	t.Parallel()
	d := dataOf(synth{n: 300, maxmemory: 256 * mb, flat: true}.samples()...)
	st := themes.NewStyles(themes.Dark())
	for _, w := range []int{20, 57, 120} {
		for _, rows := range []int{2, 4, 9, 30} {
			lines, _ := newMemoryPane().graph(d, st, w, rows)
			if len(lines) != rows {
				t.Fatalf("%dx%d: %d lines", w, rows, len(lines))
			}
			for _, l := range lines {
				if ansi.StringWidth(l) != w {
					t.Fatalf("%dx%d: line %q is %d wide", w, rows, ansi.Strip(l), ansi.StringWidth(l))
				}
			}
		}
	}
	lines, _ := newMemoryPane().graph(d, st, 80, 12)
	plot := ansi.Strip(strings.Join(lines[:10], "\n"))
	if !strings.Contains(plot, "0B┤") || !strings.Contains(plot, "───") {
		t.Fatalf("flat series collapsed or no zero label:\n%s", plot)
	}
}
