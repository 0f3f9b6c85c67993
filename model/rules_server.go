package model

import (
	"strings"
	"time"
)

// Check ids, in the order of DESIGN.md's table.
const (
	CheckMaxmemorySet       = "maxmemory-set"
	CheckPolicyFits         = "policy-fits"
	CheckHeadroom           = "headroom"
	CheckEvictions          = "evictions"
	CheckFragmentation      = "fragmentation"
	CheckRSSVsUsed          = "rss-vs-used"
	CheckFork               = "fork"
	CheckPersistenceRisk    = "persistence-risk"
	CheckBigKeys            = "big-keys"
	CheckTTLDiscipline      = "ttl-discipline"
	CheckEncodings          = "encodings"
	CheckClientBuffers      = "client-buffers"
	CheckReplicationBuffers = "replication-buffers"
	CheckScripts            = "scripts"
	CheckPeak               = "peak"
	CheckSwapAndHost        = "swap-and-host"
	CheckActiveDefrag       = "activedefrag"
	CheckLogicalDBs         = "logical-dbs"
	CheckEvidence           = "evidence"
)

// Inputs are everything the rules and the verdict read. Only Hist is needed;
// every other input may be missing, and the rules that need it then say
// unknown and why.
type Inputs struct {
	// Now is the evaluation time (usually the newest sample's time).
	Now time.Time
	// Hist holds the samples; rules read the newest one and trends over Window.
	Hist *History
	// Extras are the CONFIG / CLIENT LIST / MEMORY DOCTOR / host reads; nil
	// means not read yet.
	Extras *Extras
	// Scan holds the big-key scan facts; nil means no scan yet.
	Scan *ScanFacts
	// EvidenceSaved is true once a report was exported in this session.
	EvidenceSaved bool
	// Window is the trend window; 0 means ThresholdVerdictWindow.
	Window time.Duration
	// CommandTarget is the server the suggested commands must reach; the
	// zero value leaves them as the rules write them.
	CommandTarget CommandTarget
}

// serverRules lists every check of one server in the order of DESIGN.md's
// table; each rule lives in the rules_<topic>.go file its topic names, and
// its thresholds in rules_thresholds.go. evidence is evaluated last, from
// the others' results (see evaluate).
var serverRules = []rule[*ruleCtx]{
	{CheckMaxmemorySet, "Memory limit", PaneLimits, ruleMaxmemorySet},
	{CheckPolicyFits, "Eviction policy", PaneLimits, rulePolicyFits},
	{CheckHeadroom, "Headroom", PaneLimits, ruleHeadroom},
	{CheckEvictions, "Evictions", PaneLimits, ruleEvictions},
	{CheckFragmentation, "Fragmentation", PaneFragmentation, ruleFragmentation},
	{CheckRSSVsUsed, "RSS vs used trend", PaneMemory, ruleRSSVsUsed},
	{CheckFork, "Fork and copy-on-write", PanePersistence, ruleFork},
	{CheckPersistenceRisk, "Unsaved data", PanePersistence, rulePersistenceRisk},
	{CheckBigKeys, "Big keys", PaneBigKeys, ruleBigKeys},
	{CheckTTLDiscipline, "TTL discipline", PaneBigKeys, ruleTTLDiscipline},
	{CheckEncodings, "Encodings", PaneBigKeys, ruleEncodings},
	{CheckClientBuffers, "Client buffers", PaneLimits, ruleClientBuffers},
	{CheckReplicationBuffers, "Replication buffers", PaneLimits, ruleReplicationBuffers},
	{CheckScripts, "Cached scripts", PaneMemory, ruleScripts},
	{CheckPeak, "Peak vs now", PaneMemory, rulePeak},
	{CheckSwapAndHost, "Swap and host settings", PaneMemory, ruleSwapAndHost},
	{CheckActiveDefrag, "Active defrag", PaneFragmentation, ruleActiveDefrag},
	{CheckLogicalDBs, "Logical databases", PaneLimits, ruleLogicalDBs},
}

// RuleIDs returns every check id in table order (evidence last).
func RuleIDs() []string {
	ids := make([]string, 0, len(serverRules)+1)
	for _, r := range serverRules {
		ids = append(ids, r.id)
	}
	return append(ids, CheckEvidence)
}

// Evaluate runs every rule and returns the checklist: the findings sorted
// worst first (table order within a status), then the evidence reminder. It never fails: a rule without its inputs
// says unknown and why.
func Evaluate(in Inputs) Checklist { return evaluate(newRuleCtx(in)) }

func evaluate(c *ruleCtx) Checklist {
	out := runRules(c, serverRules, c.cannotRun)
	state := evidenceNone
	if c.in.EvidenceSaved {
		state = evidenceThisSession
	}
	sortWorstFirst(out)
	// The reminder comes after the findings, whatever its status: the
	// checklist's order is the findings' order. Then every command is
	// gated (a write only where it is justified and possible) and aimed
	// at the server.
	out = append(out, evidenceCheck(state, out))
	out = gateWrites(out, c.ability())
	return c.in.CommandTarget.Apply(out)
}

// cannotRun stands in for every rule while there is nothing to judge: no
// sample yet, or a Sentinel, which holds no data.
func (c *ruleCtx) cannotRun(r rule[*ruleCtx]) (Check, bool) {
	switch {
	case c.last == nil:
		return unknownCheck(r.topic, c.noSampleReason(), "Wait for the first poll, or check the connection in the header."), true
	case strings.EqualFold(string(c.last.Server.Mode), "sentinel"):
		return unknownCheck(r.topic, "a Sentinel holds no data", "Point redis-memtop at the master or a replica that the Sentinel watches.", "redis-cli SENTINEL masters"), true
	}
	return Check{}, false
}
