package model

import "math"

// saveAtStartSlack is how close rdb_last_save_time may be to the server's
// start for it to be the start itself: Redis sets lastsave to the time it
// started ("at startup we consider the DB saved"), so a server that never
// saved reports its own start as its last save. Two seconds covers the
// rounding of uptime_in_seconds and the poll's own delay (ours).
const saveAtStartSlack = 2

// NeverForked reports that the server has not forked since it started:
// latest_fork_usec 0 and, where reported, no fork counted (total_forks,
// 6.2+), no BGSAVE timed (rdb_last_bgsave_time_sec -1), no AOF rewrite
// timed (aof_last_rewrite_time_sec -1) and none running. A fork always
// takes some microseconds, so 0 is "never", not "instant".
func NeverForked(s *Sample) bool {
	if s == nil {
		return false
	}
	usec, ok := s.Stats.LatestForkUsec.Get()
	if !ok || usec != 0 {
		return false
	}
	p := &s.Persistence
	if v, ok := s.Stats.TotalForks.Get(); ok && v > 0 {
		return false
	}
	if v, ok := p.RDBLastBgsaveTimeSec.Get(); ok && v >= 0 {
		return false
	}
	if v, ok := p.AOFLastRewriteTimeSec.Get(); ok && v >= 0 {
		return false
	}
	return !p.RDBBgsaveInProgress.IsTrue() && !p.AOFRewriteInProgress.IsTrue() && !p.ModuleForkInProgress.IsTrue()
}

// NoSaveSinceStart reports that rdb_last_save_time is the server's start,
// not a save: rdb_saves is 0 (7.0+), or — without that counter — no BGSAVE
// was ever timed and the "last save" is within saveAtStartSlack of the
// start (sample time minus uptime). known is false when the sample cannot
// tell.
func NoSaveSinceStart(s *Sample) (none, known bool) {
	if s == nil {
		return false, false
	}
	p := &s.Persistence
	if v, ok := p.RDBSaves.Get(); ok {
		return v == 0, true
	}
	last, ok1 := p.RDBLastSaveTime.Get()
	up, ok2 := s.Server.Uptime.Get()
	bg, ok3 := p.RDBLastBgsaveTimeSec.Get()
	if !ok1 || !ok2 || !ok3 || s.Time.IsZero() {
		return false, false
	}
	if bg >= 0 {
		return false, true
	}
	start := float64(s.Time.Unix()) - up
	return math.Abs(last-start) <= saveAtStartSlack, true
}

// NeverRewroteAOF reports that no AOF rewrite has run since the start
// (aof_rewrites 0 on 7.0+, else aof_last_rewrite_time_sec -1).
func NeverRewroteAOF(s *Sample) bool {
	if s == nil {
		return false
	}
	p := &s.Persistence
	if v, ok := p.AOFRewrites.Get(); ok {
		return v == 0
	}
	v, ok := p.AOFLastRewriteTimeSec.Get()
	return ok && v < 0
}

// NeverBgsaved reports that no BGSAVE has run since the start
// (rdb_last_bgsave_time_sec -1).
func NeverBgsaved(s *Sample) bool {
	if s == nil {
		return false
	}
	v, ok := s.Persistence.RDBLastBgsaveTimeSec.Get()
	return ok && v < 0
}
