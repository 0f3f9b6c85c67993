package app

import (
	"context"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/model"
)

func TestPlayerSeekBackResetsTheUI(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rec := &model.Recording{}
	for i := range 10 {
		s := model.Sample{Time: t0.Add(time.Duration(i) * time.Minute)}
		s.Memory.UsedMemory = model.Some(float64(i))
		rec.Lines = append(rec.Lines, model.RecordLine{T: s.Time, Update: model.Update{Sample: &s}})
	}
	pl := newPlayer(rec, 0) // as fast as possible
	out := make(chan model.Update, 100)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); pl.run(ctx, out) }()
	read := func(want func(model.Update) bool) model.Update {
		t.Helper()
		for {
			select {
			case u := <-out:
				if want(u) {
					return u
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the player went quiet")
			}
		}
	}
	end := read(func(u model.Update) bool { return u.Replay != nil && u.Replay.Done })
	if !end.Replay.Pos.Equal(rec.End()) {
		t.Errorf("end at %v", end.Replay.Pos)
	}
	pl.control(func(s *playState) { s.seekTo = pl.seekFrom(s.idx, -5*time.Minute) })
	reset := read(func(u model.Update) bool { return u.Replay != nil && u.Replay.Reset })
	if reset.Replay.Pos != rec.Start() {
		t.Errorf("reset at %v", reset.Replay.Pos)
	}
	first := read(func(u model.Update) bool { return u.Sample != nil })
	if first.Sample.Memory.UsedMemory.V != 0 {
		t.Errorf("after a seek back the first sample is %v, want the recording's first", first.Sample.Memory.UsedMemory)
	}
	cancel()
	<-done
}
