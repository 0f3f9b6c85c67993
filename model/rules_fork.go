package model

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// forkFacts are the figures the fork check reads.
type forkFacts struct {
	used, rss, ram float64
	rssOK, ramOK   bool
	src            string
}

// ruleFork: the fork child's copy-on-write, the fork's cost, failed saves,
// and whether the machine has room for the next fork.
func ruleFork(c *ruleCtx) Check {
	const topic = "Fork and copy-on-write"
	s := c.last
	p := &s.Persistence
	if s.Server.Product == ProductDragonfly {
		return Check{
			Status:   StatusOK,
			Title:    "Dragonfly snapshots without fork: no copy-on-write",
			Evidence: []string{"product: dragonfly"},
			Advice:   "Dragonfly's snapshots do not fork, so a save does not double memory.",
			Commands: []string{cmdInfoPersistence},
		}
	}
	if !p.RDBBgsaveInProgress.Valid && !s.HasSection("persistence") {
		return unknownCheck(topic, "INFO persistence was not read", "", cmdInfoPersistence)
	}
	commands := []string{cmdInfoPersistence, "redis-cli LATENCY DOCTOR"}
	ff := forkFacts{used: s.Memory.UsedMemory.Or(0)}
	ff.rss, ff.rssOK = s.Memory.UsedMemoryRSS.Get()
	ff.ram, ff.src, ff.ramOK = c.hostRAM()
	f := &findings{status: StatusOK}

	rdbErr := strings.EqualFold(string(p.RDBLastBgsaveStatus), "err")
	aofErr := strings.EqualFold(string(p.AOFLastBgrewriteStatus), "err")
	f.add(fmt.Sprintf("last BGSAVE: %s, last AOF rewrite: %s", textOr(p.RDBLastBgsaveStatus, "not reported"), textOr(p.AOFLastBgrewriteStatus, "not reported")))
	if rdbErr || aofErr {
		what := forkName(forkRDB)
		if !rdbErr {
			what = forkName(forkAOF)
		}
		f.raise(StatusCrit, "The last "+what+" failed",
			"A failed background save often means the fork itself failed for lack of memory (vm.overcommit_memory 0 with too little free RAM), or the disk is full or read-only. The server log says which; until a save succeeds, changes are not on disk.")
		commands = append(commands, "redis-cli LASTSAVE", "redis-cli CONFIG GET dir")
	}

	cowUnknown := false
	if s.ForkRunning() {
		cowUnknown = forkRunningFindings(c, f, ff)
	} else {
		forkIdleFindings(s, f, ff)
	}
	forkCostFindings(c, f)

	if cowUnknown && f.status == StatusOK {
		u := unknownCheck(topic, "server older than 6.2 has no live copy-on-write figure", "Watch RSS and the machine's free memory by hand during the save.", cmdInfoPersistence)
		u.Evidence = append(f.evidence, u.Evidence...)
		return u
	}
	ch := Check{Status: f.status, Evidence: f.evidence, Commands: commands}
	if len(f.titles) == 0 {
		ch.Title = "No fork running; the last save succeeded"
		if p.RDBLastBgsaveStatus == "" && p.AOFLastBgrewriteStatus == "" {
			ch.Title = "No fork running"
		}
		if none, _ := NoSaveSinceStart(s); none && NeverRewroteAOF(s) {
			// "ok" is the status a server reports before any save.
			ch.Title = "No fork running; no save since the server started"
		}
	} else {
		ch.Title = f.titles[0]
	}
	if len(f.advice) == 0 {
		f.advice = append(f.advice, "Nothing to do.")
	}
	ch.Advice = strings.Join(f.advice, " ")
	return ch
}

// forkRunningFindings judges the running fork's copy-on-write; it reports
// whether the server has no live copy-on-write figure.
func forkRunningFindings(c *ruleCtx, f *findings, ff forkFacts) (cowUnknown bool) {
	s := c.last
	p := &s.Persistence
	kind := forkName(forkKind(s))
	line := kind + " running"
	if v, ok := p.RDBCurrentBgsaveTimeSec.Get(); ok && v >= 0 && forkKind(s) == forkRDB {
		line += " for " + Duration(time.Duration(v)*time.Second)
	} else if v, ok := p.AOFCurrentRewriteTimeSec.Get(); ok && v >= 0 && forkKind(s) == forkAOF {
		line += " for " + Duration(time.Duration(v)*time.Second)
	}
	if v, ok := p.CurrentForkPerc.Get(); ok {
		line += fmt.Sprintf(", %s %% done", Ratio(v))
	}
	f.add(line)
	if ff.ramOK && ff.rssOK {
		defer f.add(fmt.Sprintf("machine memory (%s): %s, RSS %s", ff.src, Bytes(ff.ram), Bytes(ff.rss)))
	}
	cow, ok := p.CurrentCOWSize.Get()
	if !ok {
		f.add("live copy-on-write: " + c.missing("current_cow_size", "6.2"))
		return true
	}
	cl := "current_cow_size: " + Bytes(cow)
	if age, ok := p.CurrentCOWSizeAge.Get(); ok {
		cl += fmt.Sprintf(" (measured %ds ago)", int(age))
	}
	if pk, ok := p.CurrentCOWPeak.Get(); ok {
		cl += ", peak " + Bytes(pk)
	}
	if ff.used > 0 {
		cl += fmt.Sprintf(", %s of used", sharePct(cow/ff.used))
	}
	f.add(cl)
	if prev := c.h.PrevOK(); prev != nil && prev.ForkRunning() {
		if pc, ok := prev.Persistence.CurrentCOWSize.Get(); ok && cow > pc {
			f.add(fmt.Sprintf("copy-on-write grew %s since the previous poll", signedBytes(cow-pc)))
		}
	}
	switch {
	case ff.ramOK && ff.rssOK && ff.rss+cow >= ThresholdForkHostCrit*ff.ram:
		f.raise(StatusCrit, fmt.Sprintf("Fork: RSS + copy-on-write is %s of the %s", sharePct((ff.rss+cow)/ff.ram), ff.src),
			"The parent and the fork child together are about to exhaust the machine's memory: the OOM killer may end Redis or the child. Stop heavy writes until the save ends; for the future keep maxmemory lower or move saves to a replica.")
	case ff.used > 0 && cow >= ThresholdCOWShareWarn*ff.used:
		f.raise(StatusWarn, fmt.Sprintf("Copy-on-write %s is %s of the dataset", Bytes(cow), sharePct(cow/ff.used)),
			"Heavy writes during the save make the child copy pages: memory on the machine grows by that much until the save ends. Save when writes are light, or from a replica.")
	case ff.used > 0 && cow >= ThresholdCOWShareWatch*ff.used:
		f.raise(StatusWatch, fmt.Sprintf("Copy-on-write %s during the %s", Bytes(cow), kind), "Writes during the save are copied by the child; it ends with the save.")
	default:
		f.raise(StatusOK, fmt.Sprintf("%s running, copy-on-write %s", kind, Bytes(cow)), "")
	}
	return false
}

// forkIdleFindings judges whether the next fork would fit.
func forkIdleFindings(s *Sample, f *findings, ff forkFacts) {
	p := &s.Persistence
	f.add("no fork running")
	lastCOW := math.Max(p.RDBLastCOWSize.Or(0), p.AOFLastCOWSize.Or(0))
	if lastCOW > 0 {
		f.add("copy-on-write of the last fork: " + Bytes(lastCOW))
	}
	if !ff.ramOK || !ff.rssOK || ff.used <= 0 {
		return
	}
	f.add(fmt.Sprintf("room for a fork: RSS %s + up to used %s against %s (%s)", Bytes(ff.rss), Bytes(ff.used), Bytes(ff.ram), ff.src))
	switch {
	case lastCOW > 0 && ff.rss+lastCOW > ff.ram:
		f.raise(StatusWarn, "No room for the next fork: the last one copied "+Bytes(lastCOW),
			"If the next save copies as much as the last, RSS plus the copy exceed the machine's memory. Keep maxmemory lower, or save from a replica.")
	case ff.rss+ff.used > ff.ram:
		f.raise(StatusWatch, "A fork that rewrites much of the data would not fit in memory",
			"In the worst case a fork copies every page it touches: with heavy writes during a save, RSS plus the copy exceed the machine's memory. vm.overcommit_memory must be 1 for the fork to start at all.")
	}
}

// forkCostFindings grades the latest fork on its own stall and on the
// memory at the fork (History.LatestForkCost), in ms per GB as the
// persistence pane and the report say it.
func forkCostFindings(c *ruleCtx, f *findings) {
	s := c.last
	fc, ok := c.h.LatestForkCost()
	switch {
	case ok:
		f.add(fc.Evidence())
		title := "Forking takes " + fc.Stall()
		if g := fc.PerGB(); g != "" {
			title += " (" + g + ")"
		}
		switch {
		case fc.Grade == "terrible":
			f.raise(fc.Status, title,
				"Every client waits while the server forks, and this machine copies page tables slowly: over 100 ms per GB usually means a VM with slow page-table copies (old Xen) or transparent huge pages. Disable THP; if it stays slow, a hardware-virtualised or metal instance forks 10× faster.")
		case fc.Grade == "poor":
			f.raise(fc.Status, title, "Every client waits while the server forks; 40–100 ms per GB is slower than the guide's machines: check transparent huge pages and the VM type.")
		case fc.Status == StatusWarn:
			f.raise(fc.Status, "Forking stalls every client for "+fc.Stall(),
				"Each BGSAVE or AOF rewrite freezes the server this long. Save less often, save from a replica, or keep the dataset smaller; check transparent huge pages.")
		case fc.Status == StatusWatch:
			f.raise(fc.Status, title, "Every client waits while the server forks; that grows with the dataset.")
		}
	case s.Stats.LatestForkUsec.Valid:
		f.add("no fork since the server started")
	}
	if n, ok := s.Stats.TotalForks.Get(); ok {
		f.add("total_forks: " + exactCount(n))
	}
}

// textOr returns a text field, or d when it is absent.
func textOr(t Text, d string) string {
	if t == "" {
		return d
	}
	return string(t)
}

// rulePersistenceRisk: how much would a restart lose right now?
func rulePersistenceRisk(c *ruleCtx) Check {
	const topic = "Unsaved data"
	s := c.last
	p := &s.Persistence
	changes, ok := p.RDBChangesSinceLastSave.Get()
	if !ok {
		return unknownCheck(topic, c.missing("rdb_changes_since_last_save", ""), "", cmdInfoPersistence)
	}
	ch := Check{
		Evidence: []string{"rdb_changes_since_last_save: " + exactCount(changes)},
		Commands: []string{cmdInfoPersistence, "redis-cli CONFIG GET save", "redis-cli CONFIG GET appendonly"},
	}
	var age time.Duration
	ageOK := false
	if t, ok := p.RDBLastSaveTime.Get(); ok && t > 0 && !c.now.IsZero() {
		age = c.now.Sub(time.Unix(int64(t), 0))
		ageOK = age >= 0
		switch {
		case ageOK:
			ch.Evidence = append(ch.Evidence, "last successful save: "+Duration(age)+" ago")
		case age < -time.Minute:
			ch.Evidence = append(ch.Evidence, "last save time is "+Duration(-age)+" ahead of this machine's clock (clock skew?): its age is unknown")
		}
	}
	aofOn := p.AOFEnabled.IsTrue()
	aofOK := aofOn && !strings.EqualFold(string(p.AOFLastWriteStatus), "err")
	ch.Evidence = append(ch.Evidence, "aof_enabled: "+map[bool]string{true: "yes", false: "no"}[aofOn])
	saveCfg, saveKnown := c.config("save")
	if saveKnown {
		ch.Evidence = append(ch.Evidence, fmt.Sprintf("save: %q", saveCfg))
	}
	noPersistence := saveKnown && strings.TrimSpace(saveCfg) == "" && !aofOn
	keys, _, _ := keyspaceTotals(s)
	rdbErr := strings.EqualFold(string(p.RDBLastBgsaveStatus), "err")

	unsaved := exactCount(changes) + " changes unsaved"
	if ageOK {
		unsaved += ", last save " + Duration(age) + " ago"
	}
	switch {
	case rdbErr && changes > 0 && !aofOK:
		ch.Status = StatusCrit
		ch.Title = fmt.Sprintf("%s changes are not on disk, and the last save failed", exactCount(changes))
		ch.Advice = "A restart now loses every change since the last good save. Fix the save first (see the fork check and the server log), then save, and only then restart."
	case aofOK:
		ch.Status = StatusOK
		ch.Title = "AOF is on: changes are logged as they happen"
		ch.Advice = "A restart replays the append-only file; little is lost (up to appendfsync's interval)."
	case changes == 0:
		ch.Status = StatusOK
		ch.Title = "Nothing unsaved since the last save"
		ch.Advice = "A restart loses nothing written since the last snapshot."
	case noPersistence:
		ch.Status = StatusWatch
		ch.Title = fmt.Sprintf("No persistence (no save schedule, AOF off): a restart empties the server (%s keys)", exactCount(keys))
		ch.Advice = "Fine for a pure cache that can refill; for anything else, a restart during the incident loses all data. Decide that on purpose before anyone restarts Redis."
		ch.Commands = append(ch.Commands, "redis-cli BGSAVE")
	case (ageOK && age >= ThresholdUnsavedAgeWarn) || changes >= ThresholdUnsavedChangesWarn:
		ch.Status = StatusWarn
		ch.Title = unsaved
		ch.Advice = "A restart now loses all these changes. Save first (BGSAVE, and watch the fork's copy-on-write), and check why the save schedule did not run."
		ch.Commands = append(ch.Commands, "redis-cli BGSAVE", "redis-cli LASTSAVE")
	case (ageOK && age >= ThresholdUnsavedAgeWatch) || changes >= ThresholdUnsavedChangesWatch:
		ch.Status = StatusWatch
		ch.Title = unsaved
		ch.Advice = "A restart would lose these changes; save before restarting."
		ch.Commands = append(ch.Commands, "redis-cli BGSAVE")
	default:
		ch.Status = StatusOK
		ch.Title = fmt.Sprintf("%s changes since a recent save", exactCount(changes))
		ch.Advice = "Little would be lost by a restart."
	}
	return ch
}
