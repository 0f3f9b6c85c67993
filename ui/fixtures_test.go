package ui

import (
	"math"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/themes"
)

// t0 is the start of every synthetic history: fixed, in UTC, so frames do
// not depend on the clock or the time zone.
var t0 = time.Date(2026, 11, 21, 14, 0, 0, 0, time.UTC)

const (
	mb         = 1 << 20
	testTarget = "10.0.0.7:6379"
	titleBig   = "Big keys"
	titleCheck = "Checklist"
)

// synth describes a synthetic history.
type synth struct {
	n         int     // samples, one per second
	maxmemory float64 // 0: no limit
	flat      bool    // used and RSS constant
	bgsave    bool    // a BGSAVE from 40 % to 50 % of the run
	gap       bool    // the server stops answering from 60 % to 62 %
	restart   bool    // a new run_id at 80 %
}

// sample builds the i-th sample of a synthetic run.
func (sy synth) sample(i int) model.Sample {
	at := t0.Add(time.Duration(i) * time.Second)
	frac := float64(i) / float64(max(sy.n, 1))
	if sy.gap && frac >= 0.6 && frac < 0.62 {
		return model.Sample{Time: at, Err: "i/o timeout"}
	}
	used := 100*mb + 40*mb*frac + 2*mb*math.Sin(float64(i)/20)
	if sy.flat {
		used = 120 * mb
	}
	runID := "a1b2c3"
	uptime := 3600 + float64(i)
	if sy.restart && frac >= 0.8 {
		runID = "d4e5f6"
		uptime = float64(i) - 0.8*float64(sy.n)
		used = 30*mb + 5*mb*(frac-0.8)
	}
	rss := used * 1.18
	s := model.Sample{
		Time:     at,
		Latency:  850 * time.Microsecond,
		Sections: []string{"server", "memory", "persistence", "stats", "keyspace", "errorstats"},
		Server: model.Server{
			Product: model.ProductRedis, Version: "7.2.6", RedisVersion: "7.2.6", Mode: "standalone",
			Role: "master", RunID: model.Text(runID), Uptime: model.Some(uptime),
		},
		Memory: model.Memory{
			UsedMemory:                 model.Some(used),
			UsedMemoryRSS:              model.Some(rss),
			UsedMemoryPeak:             model.Some(150 * mb),
			UsedMemoryOverhead:         model.Some(8 * mb),
			UsedMemoryDataset:          model.Some(used - 8*mb),
			UsedMemoryDatasetPerc:      model.Some((used - 8*mb) / used * 100),
			TotalSystemMemory:          model.Some(16 << 30),
			MaxMemory:                  model.Some(sy.maxmemory),
			MaxMemoryPolicy:            "allkeys-lru",
			AllocatorFragRatio:         model.Some(1.02),
			AllocatorFragBytes:         model.Some(2 * mb),
			AllocatorRSSRatio:          model.Some(1.05),
			AllocatorRSSBytes:          model.Some(5 * mb),
			RSSOverheadRatio:           model.Some(1.1),
			RSSOverheadBytes:           model.Some(11 * mb),
			MemFragmentationRatio:      model.Some(rss / used),
			MemFragmentationBytes:      model.Some(rss - used),
			MemNotCountedForEvict:      model.Some(0),
			MemReplicationBacklog:      model.Some(mb),
			MemClientsSlaves:           model.Some(0),
			MemClientsNormal:           model.Some(1.5 * mb),
			MemTotalReplicationBuffers: model.Some(mb),
		},
		Persistence: model.Persistence{
			RDBChangesSinceLastSave:  model.Some(float64(i * 12)),
			RDBBgsaveInProgress:      model.Some(0),
			RDBLastSaveTime:          model.Some(float64(t0.Add(-10 * time.Minute).Unix())),
			RDBLastBgsaveStatus:      "ok",
			RDBCurrentBgsaveTimeSec:  model.Some(-1),
			RDBLastCOWSize:           model.Some(3 * mb),
			AOFEnabled:               model.Some(0),
			AOFRewriteInProgress:     model.Some(0),
			AOFLastCOWSize:           model.Some(0),
			CurrentCOWSize:           model.Some(0),
			CurrentCOWSizeAge:        model.Some(0),
			CurrentCOWPeak:           model.Some(0),
			CurrentForkPerc:          model.Some(0),
			CurrentSaveKeysProcessed: model.Some(0),
			CurrentSaveKeysTotal:     model.Some(0),
			ModuleForkInProgress:     model.Some(0),
		},
		Stats: model.Stats{
			ExpiredKeys:      model.Some(float64(i * 3)),
			EvictedKeys:      model.Some(float64(i / 10)),
			LatestForkUsec:   model.Some(2300),
			ErrorstatOOM:     model.Some(0),
			ConnectedClients: model.Some(12),
			BlockedClients:   model.Some(0),
			// The load redis-cli --stat would show: 1.5k ops/s, a new
			// connection every 5 s, 60K/s in and 250K/s out.
			TotalCommandsProcessed:   model.Some(float64(i) * 1500),
			InstantaneousOpsPerSec:   model.Some(1500),
			TotalConnectionsReceived: model.Some(100 + float64(i/5)),
			TotalNetInputBytes:       model.Some(float64(i) * 60 * 1024),
			TotalNetOutputBytes:      model.Some(float64(i) * 250 * 1024),
		},
		Keyspace: []model.DBKeys{{DB: 0, Keys: model.Some(120000 + float64(i)), Expires: model.Some(30000), AvgTTL: model.Some(3600000)}},
	}
	if sy.bgsave && frac >= 0.4 && frac < 0.5 {
		start := int(0.4 * float64(sy.n))
		el := float64(i - start)
		p := &s.Persistence
		p.RDBBgsaveInProgress = model.Some(1)
		p.RDBCurrentBgsaveTimeSec = model.Some(el)
		p.CurrentCOWSize = model.Some(el * 0.5 * mb)
		p.CurrentCOWPeak = model.Some(el * 0.5 * mb)
		p.CurrentCOWSizeAge = model.Some(1)
		p.CurrentSaveKeysTotal = model.Some(120000)
		p.CurrentSaveKeysProcessed = model.Some(min(120000*(frac-0.4)/0.1, 120000))
		p.CurrentForkPerc = model.Some(100 * (frac - 0.4) / 0.1)
	}
	return s
}

// samples is the whole run.
func (sy synth) samples() []model.Sample {
	out := make([]model.Sample, sy.n)
	for i := range out {
		out[i] = sy.sample(i)
	}
	return out
}

// feed folds samples into a model, as the source would, after a conn update.
func feed(t *testing.T, m Model, samples []model.Sample) Model {
	t.Helper()
	since := t0
	if len(samples) > 0 {
		since = samples[0].Time
	}
	m = step(t, m, model.Update{Conn: &model.Conn{State: model.ConnLive, Since: since}})
	for i := range samples {
		m = step(t, m, model.Update{Sample: &samples[i]})
	}
	return m
}

// step sends one message to Update and returns the new model.
func step(t *testing.T, m Model, msg tea.Msg) Model {
	t.Helper()
	nm, _ := m.Update(msg)
	out, ok := nm.(Model)
	if !ok {
		t.Fatalf("Update returned %T", nm)
	}
	return out
}

// sized is a model with a window size and the dark theme (no terminal to
// ask), fed with samples.
func sized(t *testing.T, w, h int, opts Options, samples []model.Sample) Model {
	t.Helper()
	if opts.Theme == "" {
		opts.Theme = themes.NameDark
	}
	if opts.Target == "" {
		opts.Target = testTarget
	}
	m := New(opts)
	m = step(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	return feed(t, m, samples)
}

// checkFrame asserts the frame is exactly w×h cells.
func checkFrame(t *testing.T, frame string, w, h int) {
	t.Helper()
	lines := strings.Split(frame, "\n")
	if len(lines) != h {
		t.Fatalf("%dx%d: frame has %d lines", w, h, len(lines))
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Fatalf("%dx%d: line %d is %d cells wide: %q", w, h, i, got, ansi.Strip(l))
		}
	}
}
