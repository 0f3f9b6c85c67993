package ui

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/themes"
)

// persistPane: the fork child (BGSAVE, AOF rewrite) — progress, ETA,
// copy-on-write — and the last save, with the host's headroom for a fork.
type persistPane struct{}

func newPersistPane() *persistPane { return &persistPane{} }

func (*persistPane) ID() PaneID                                       { return PanePersist }
func (*persistPane) Title() string                                    { return "Persistence & fork" }
func (*persistPane) MinHeight() int                                   { return 6 }
func (*persistPane) KeyBindings() []key.Binding                       { return nil }
func (*persistPane) HandleKey(tea.KeyPressMsg, *Data) (bool, tea.Cmd) { return false, nil }

func (p *persistPane) Render(d *Data, st *themes.Styles, w, h int, focused bool) string {
	iw, ih := InnerSize(st, w, h)
	return Frame(st, p.Title(), p.body(d, st, iw, ih), w, h, focused)
}

// forkInfo is what is known about the running fork child.
type forkInfo struct {
	kind     string    // BGSAVE, AOF rewrite, module fork; "" when idle
	elapsed  model.Opt // seconds
	progress model.Opt // 0..1
	eta      model.Opt // seconds
	keys     string    // "450.0k / 1.0M keys" when known
}

func currentFork(s *model.Sample) forkInfo {
	p := &s.Persistence
	var f forkInfo
	switch {
	case p.RDBBgsaveInProgress.IsTrue():
		f.kind, f.elapsed = "BGSAVE", p.RDBCurrentBgsaveTimeSec
	case p.AOFRewriteInProgress.IsTrue():
		f.kind, f.elapsed = "AOF rewrite", p.AOFCurrentRewriteTimeSec
	case p.ModuleForkInProgress.IsTrue():
		f.kind = "module fork"
	default:
		return f
	}
	if v, ok := f.elapsed.Get(); ok && v < 0 {
		f.elapsed = model.None() // -1: the server has not started timing it
	}
	done, ok1 := p.CurrentSaveKeysProcessed.Get()
	total, ok2 := p.CurrentSaveKeysTotal.Get()
	switch {
	case ok1 && ok2 && total > 0:
		f.progress = model.Some(min(done/total, 1))
		f.keys = model.Count(done) + " / " + model.Count(total) + " keys"
	case p.CurrentForkPerc.Valid:
		f.progress = model.Some(min(max(p.CurrentForkPerc.V/100, 0), 1))
	}
	if pr, ok := f.progress.Get(); ok && pr > 0 {
		if el, ok := f.elapsed.Get(); ok && el > 0 {
			f.eta = model.Some(el * (1 - pr) / pr)
		}
	}
	return f
}

// Summary is the collapsed line.
func (p *persistPane) Summary(d *Data, st *themes.Styles, w int) string {
	line := st.Title.Render("Persistence") + "  "
	s := d.Last()
	switch {
	case s == nil:
		line += st.Muted.Render("no sample yet")
	case s.Server.Product == model.ProductDragonfly:
		line += st.Muted.Render("no fork (Dragonfly)")
	default:
		if f := currentFork(s); f.kind != "" {
			line += st.Warn.Render(f.kind+" running") + " " + st.Value.Render(progressText(f))
			if c, ok := s.Persistence.CurrentCOWSize.Get(); ok {
				line += st.Muted.Render(" · ") + st.Label.Render("COW ") + st.Value.Render(model.Bytes(c))
			}
		} else {
			line += st.OK.Render("no fork running") + st.Muted.Render(" · ") + p.lastSave(d, s, st, w)
		}
	}
	return cut(line, w)
}

func progressText(f forkInfo) string {
	out := ""
	if pr, ok := f.progress.Get(); ok {
		out = model.Percent(pr * 100)
	}
	if eta, ok := f.eta.Get(); ok {
		out += " ETA " + model.Seconds(model.Some(eta))
	}
	if out == "" {
		return model.Dash
	}
	return out
}

func (p *persistPane) lastSave(d *Data, s *model.Sample, st *themes.Styles, w int) string {
	ps := &s.Persistence
	status := model.Sanitize(string(ps.RDBLastBgsaveStatus), 8)
	out := ""
	switch status {
	case "":
		out = st.Unknown.Render(model.Dash)
	case "ok":
		out = st.OK.Render("ok")
	default:
		out = st.Crit.Render(status)
	}
	if none, _ := model.NoSaveSinceStart(s); none {
		// lastsave is the server's start then, not a save.
		if status != "ok" && status != "" {
			return out + st.Muted.Render(" · none since start")
		}
		return st.Muted.Render("none since start")
	}
	if v, ok := ps.RDBLastSaveTime.Get(); ok && v > 0 {
		t := time.Unix(int64(v), 0).In(d.Now.Location())
		out += st.Text.Render(" " + t.Format("15:04:05"))
		if ago := d.Now.Sub(t); ago >= 0 {
			withAgo := out + st.Muted.Render(" ("+model.Duration(ago.Truncate(time.Second))+" ago)")
			return firstFit(w, withAgo, out)
		}
	}
	return out
}

func (p *persistPane) body(d *Data, st *themes.Styles, iw, ih int) string {
	s := d.Last()
	if s == nil {
		return st.Muted.Render("waiting for the first sample…")
	}
	ps := &s.Persistence
	var lines []string
	if s.Server.Product == model.ProductDragonfly {
		lines = append(lines, wrapStyled(st.Muted, "this server has no fork (Dragonfly): its snapshots do not copy-on-write", iw)...)
		lines = append(lines, kv(st, "last save", p.lastSave(d, s, st, iw-labelW)))
		return joinLines(wrapToHeight(lines, ih), iw)
	}

	f := currentFork(s)
	lines = append(lines, p.forkLines(s, st, f, iw)...)

	lines = append(lines, kv(st, "last fork", p.lastFork(d, s, st)))
	lines = append(lines, kv(st, "last save", p.lastSave(d, s, st, iw-labelW)))
	since := " since last save"
	if none, _ := model.NoSaveSinceStart(s); none {
		since = " since start"
	}
	lines = append(lines, kv(st, "changes", st.Value.Render(model.OptCount(ps.RDBChangesSinceLastSave))+st.Muted.Render(since)))
	lines = append(lines, kv(st, "last COW", p.lastCOW(s, st)))
	lines = append(lines, kv(st, "fork headroom", p.headroom(d, s, st, f, iw-labelW)))
	if aof := p.aofLine(s, st); aof != "" {
		lines = append(lines, kv(st, "AOF", aof))
	}
	return joinLines(wrapToHeight(lines, ih), iw)
}

// forkLines describe the running fork child, or say none runs.
func (p *persistPane) forkLines(s *model.Sample, st *themes.Styles, f forkInfo, iw int) []string {
	if f.kind == "" {
		return []string{kv(st, "fork", st.OK.Render("none running"))}
	}
	ps := &s.Persistence
	el := ""
	if v, ok := f.elapsed.Get(); ok {
		el = " " + model.Seconds(model.Some(v))
	}
	lines := []string{
		kv(st, "fork", st.Warn.Render(f.kind+" running"+el)),
		kv(st, "progress", p.progressBar(st, f, iw-labelW)),
	}
	if f.keys != "" {
		lines = append(lines, kv(st, "keys saved", st.Value.Render(f.keys)))
	}
	// Live copy-on-write (6.2+): the child refreshes it about once a second.
	cow, ok := ps.CurrentCOWSize.Get()
	if !ok {
		return append(lines, wrapStyled(st.Unknown, "no live copy-on-write figure before Redis 6.2", iw)...)
	}
	short := st.Value.Render(model.Bytes(cow))
	long := short
	if peak, ok := ps.CurrentCOWPeak.Get(); ok {
		long += st.Muted.Render("  peak ") + st.Value.Render(model.Bytes(peak))
	}
	longest := long
	if age, ok := ps.CurrentCOWSizeAge.Get(); ok {
		longest += st.Muted.Render("  age " + model.Seconds(model.Some(age)))
	}
	return append(lines, kv(st, "COW now", firstFit(iw-labelW, longest, long, short)))
}

// aofLine is "on · last rewrite ok", "off", or "" when not reported.
func (p *persistPane) aofLine(s *model.Sample, st *themes.Styles) string {
	ps := &s.Persistence
	on, ok := ps.AOFEnabled.Get()
	switch {
	case !ok:
		return ""
	case on == 0:
		return st.Value.Render("off")
	}
	aof := st.Value.Render("on")
	rs := model.Sanitize(string(ps.AOFLastBgrewriteStatus), 8)
	if rs == "" {
		return aof
	}
	style := st.OK
	if rs != "ok" {
		style = st.Crit
	}
	return aof + st.Muted.Render(" · last rewrite ") + style.Render(rs)
}

func (p *persistPane) progressBar(st *themes.Styles, f forkInfo, w int) string {
	txt := " " + progressText(f)
	bw := min(w-len([]rune(txt)), 30)
	pr, ok := f.progress.Get()
	if bw < 4 || !ok {
		return st.Value.Render(progressText(f))
	}
	bar := gauge(st, bw, func(i int) gaugeCell {
		return gaugeCell{filled: (float64(i)+0.5)/float64(bw) <= pr, level: themes.LevelOK}
	})
	return bar + st.Value.Render(txt)
}

// headroom estimates the memory left on the host for a fork: total RAM (or
// the cgroup limit when tighter) minus RSS, against the copy-on-write so far
// (running) or the worst case, RSS itself (idle).
func (p *persistPane) headroom(d *Data, s *model.Sample, st *themes.Styles, f forkInfo, w int) string {
	total, ok := s.Memory.TotalSystemMemory.Get()
	if e := d.Extras; e != nil && e.Host != nil && e.Host.Local {
		if cg, ok2 := e.Host.CgroupLimit.Get(); ok2 && cg > 0 && (!ok || total <= 0 || cg < total) {
			total, ok = cg, true
		}
	}
	rss, ok2 := s.Memory.UsedMemoryRSS.Get()
	if !ok || total <= 0 || !ok2 {
		return st.Unknown.Render("host RAM not reported")
	}
	free := total - rss
	lvl := themes.LevelOK
	head := st.Value.Render(model.Bytes(free)) + st.Muted.Render(" free")
	var vs, vsShort string
	if cow, ok := s.Persistence.CurrentCOWSize.Get(); ok && f.kind != "" {
		vs = st.Muted.Render(" vs COW ") + st.Value.Render(model.Bytes(cow))
		vsShort = st.Muted.Render(" · COW ") + st.Value.Render(model.Bytes(cow))
		if cow > free*0.5 {
			lvl = themes.LevelWarn
		}
	} else {
		vs = st.Muted.Render(" vs worst case RSS ") + st.Value.Render(model.Bytes(rss))
		vsShort = st.Muted.Render(" · RSS ") + st.Value.Render(model.Bytes(rss))
		if rss > free {
			lvl = themes.LevelWatch
		}
	}
	if free <= 0 {
		lvl = themes.LevelCrit
	}
	dot := st.ForLevel(lvl).Render("● ")
	return firstFit(w, dot+head+vs, dot+head+vsShort, dot+head)
}

// lastCOW is the copy-on-write of the last BGSAVE and AOF rewrite; a kind
// that never ran says so rather than show its 0.
func (p *persistPane) lastCOW(s *model.Sample, st *themes.Styles) string {
	ps := &s.Persistence
	rdb := st.Value.Render(model.OptBytes(ps.RDBLastCOWSize))
	if model.NeverBgsaved(s) {
		rdb = st.Muted.Render("none")
	}
	aof := st.Value.Render(model.OptBytes(ps.AOFLastCOWSize))
	if model.NeverRewroteAOF(s) {
		aof = st.Muted.Render("none")
	}
	return st.Muted.Render("rdb ") + rdb + st.Muted.Render(" · aof ") + aof
}

// lastFork is the time the last fork took, graded per GB as the checklist
// grades it; "never" for a server that has not forked since it started
// (latest_fork_usec 0 is no fork, not an instant one).
func (p *persistPane) lastFork(d *Data, s *model.Sample, st *themes.Styles) string {
	usec, ok := s.Stats.LatestForkUsec.Get()
	switch {
	case model.NeverForked(s):
		return st.Muted.Render("never")
	case !ok:
		return st.Unknown.Render(model.Dash)
	}
	v := st.Value.Render(model.Duration(time.Duration(usec) * time.Microsecond))
	// Graded per GB of the memory at the fork, not of today's.
	if fc, ok := d.Hist.LatestForkCost(); ok && fc.Usec == usec {
		if g := fc.PerGB(); g != "" {
			v += "  " + st.ForLevel(statusLevel(fc.Status)).Render(g)
		}
	}
	return v
}
