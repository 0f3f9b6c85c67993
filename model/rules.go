package model

import (
	"sort"
	"strings"
	"time"
)

// Status is the outcome of one check.
type Status string

// The statuses, from harmless to alarming; unknown says a check lacked its
// inputs (the reason is in Check.Reason).
const (
	StatusOK      Status = "ok"
	StatusWatch   Status = "watch"
	StatusWarn    Status = "warn"
	StatusCrit    Status = "crit"
	StatusUnknown Status = "unknown"
)

// Rank orders statuses for "worst first": crit, warn, watch, unknown, ok.
// Unknown sits above ok because a check we could not run deserves a look more
// than one that passed.
func (s Status) Rank() int {
	switch s {
	case StatusCrit:
		return 4
	case StatusWarn:
		return 3
	case StatusWatch:
		return 2
	case StatusUnknown:
		return 1
	default:
		return 0
	}
}

// Mark is the one-character sign shown beside the status word (the word is
// always shown too, so colour is never the only signal).
func (s Status) Mark() string {
	switch s {
	case StatusOK:
		return "✓"
	case StatusWatch:
		return "~"
	case StatusWarn:
		return "!"
	case StatusCrit:
		return "✗"
	default:
		return "?"
	}
}

// worse returns the worse of two statuses.
func worse(a, b Status) Status {
	if b.Rank() > a.Rank() {
		return b
	}
	return a
}

// PaneRef names the pane that shows a check's evidence, so the checklist can
// jump there.
type PaneRef string

// The panes a check can point at; PaneNone when no pane shows more.
const (
	PaneNone          PaneRef = ""
	PaneMemory        PaneRef = "memory"
	PaneFragmentation PaneRef = "fragmentation"
	PaneLimits        PaneRef = "limits"
	PanePersistence   PaneRef = "persistence"
	PaneBigKeys       PaneRef = "bigkeys"
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

// Check is the result of one rule. Evidence lines may quote server strings
// (client names, key names): escape them before drawing.
type Check struct {
	ID     string `json:"id"`
	Status Status `json:"status"`
	// Title is one line: what the check found, with the key figure.
	Title string `json:"title"`
	// Evidence lists the figures the rule used, one per line.
	Evidence []string `json:"evidence"`
	// Advice says, in plain words, why it matters and what to do.
	Advice string `json:"advice"`
	// Commands are exact redis-cli commands or redis.conf lines (the latter
	// start with "# redis.conf:").
	Commands []string `json:"commands"`
	// Pane is where the evidence is shown live.
	Pane PaneRef `json:"pane,omitempty"`
	// Reason says why the status is unknown (empty otherwise).
	Reason string `json:"reason,omitempty"`
}

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
}

// rule is one row of the checklist table.
type rule struct {
	id    string
	topic string // short name used in titles when the check cannot run
	pane  PaneRef
	eval  func(c *ruleCtx) Check
}

// serverRules lists every check in the order of DESIGN.md's table. evidence is
// evaluated last, from the others' results (see Evaluate).
var serverRules = []rule{
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

// Evaluate runs every rule and returns the checklist sorted worst first
// (table order within a status). It never fails: a rule without its inputs
// says unknown and why.
func Evaluate(in Inputs) Checklist { return evaluate(newRuleCtx(in)) }

func evaluate(c *ruleCtx) Checklist {
	in := c.in
	out := make(Checklist, 0, len(serverRules)+1)
	for _, r := range serverRules {
		var ch Check
		switch {
		case c.last == nil:
			ch = unknownCheck(r.topic, c.noSampleReason(), "Wait for the first poll, or check the connection in the header.")
		case strings.EqualFold(string(c.last.Server.Mode), "sentinel"):
			ch = unknownCheck(r.topic, "a Sentinel holds no data", "Point redis-memtop at the master or a replica that the Sentinel watches.", "redis-cli SENTINEL masters")
		default:
			ch = r.eval(c)
		}
		ch.ID = r.id
		ch.Pane = r.pane
		out = append(out, normalise(ch))
	}
	ev := ruleEvidence(in.EvidenceSaved, out)
	ev.ID = CheckEvidence
	out = append(out, normalise(ev))
	sort.SliceStable(out, func(i, j int) bool { return out[i].Status.Rank() > out[j].Status.Rank() })
	return out
}

// normalise makes empty lists empty (not null) in JSON, so a reader can
// always range over them.
func normalise(ch Check) Check {
	if ch.Evidence == nil {
		ch.Evidence = []string{}
	}
	if ch.Commands == nil {
		ch.Commands = []string{}
	}
	return ch
}

// unknownCheck builds the result of a rule that lacks an input.
func unknownCheck(topic, reason, advice string, commands ...string) Check {
	return Check{
		Status:   StatusUnknown,
		Title:    topic + ": " + reason,
		Evidence: []string{"cannot evaluate: " + reason},
		Advice:   advice,
		Commands: commands,
		Reason:   reason,
	}
}

// Strings the rules repeat.
const (
	cmdInfoMemory      = "redis-cli INFO memory"
	cmdInfoPersistence = "redis-cli INFO persistence"
	cmdInfoKeyspace    = "redis-cli INFO keyspace"
	srcTotalSystem     = "total_system_memory"
	forkRDB            = "rdb"
	forkAOF            = "aof"
	forkModule         = "module"
	typeHash           = "hash"
	typeList           = "list"
	typeSet            = "set"
	typeZset           = "zset"
	typeString         = "string"
	encHashtable       = "hashtable"
)
