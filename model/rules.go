package model

import (
	"cmp"
	"slices"
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

// rule is one check of a checklist: the id it reports under, the pane that
// shows its evidence, and how it judges its input. A server's checklist
// (serverRules), a cluster's (clusterRules) and a fleet's (fleetRules) are
// tables of rules over their own input, run by runRules and ordered by
// sortWorstFirst.
type rule[In any] struct {
	id    string
	topic string // names the check in the title of an unknown
	pane  PaneRef
	eval  func(In) Check
}

// runRules judges in by every rule, in table order. cannotRun, when it says
// so, stands in for a rule whose input is missing altogether (no sample
// yet, no view of the cluster): the check then says unknown and why. Each
// check gets its rule's id and pane, and lists that are empty rather than
// null.
func runRules[In any](in In, rules []rule[In], cannotRun func(rule[In]) (Check, bool)) Checklist {
	out := make(Checklist, 0, len(rules)+1)
	for _, r := range rules {
		ch, blocked := cannotRun(r)
		if !blocked {
			ch = r.eval(in)
		}
		ch.ID = r.id
		ch.Pane = r.pane
		out = append(out, normalise(ch))
	}
	return out
}

// cmpWorstFirst orders statuses worst first (see Status.Rank), for
// slices.SortStableFunc.
func cmpWorstFirst(a, b Status) int { return cmp.Compare(b.Rank(), a.Rank()) }

// sortWorstFirst is the one order of every checklist: worst first, and
// table order among equals.
func sortWorstFirst(cl Checklist) {
	slices.SortStableFunc(cl, func(a, b Check) int { return cmpWorstFirst(a.Status, b.Status) })
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

// findings gathers several findings of one check (fork, host): the worst
// status wins the title, every finding adds its advice.
type findings struct {
	status   Status
	titles   []string
	advice   []string
	evidence []string
}

func (f *findings) raise(st Status, title, advice string) {
	if st.Rank() > f.status.Rank() || len(f.titles) == 0 {
		f.status = worse(f.status, st)
		f.titles = append([]string{title}, f.titles...)
	} else {
		f.titles = append(f.titles, title)
	}
	if advice != "" {
		f.advice = append(f.advice, advice)
	}
}

func (f *findings) add(lines ...string) { f.evidence = append(f.evidence, lines...) }

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
	typeStream         = "stream"
	encHashtable       = "hashtable"
)
