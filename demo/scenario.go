package demo

import (
	"context"
	"fmt"
	"strings"

	"github.com/redis-memtop/redis-memtop/model"
)

// Scenario is a scripted training demo: a throwaway server with the config it
// needs and a workload in stages, each with a caption that says what is
// happening and what to watch.
type Scenario struct {
	Name    string
	Summary string   // one line, for `demo --list`
	Config  []string // redis-server directives the server starts with, "name value…" each
	Stages  []Stage
}

// Stage is one step of a scenario. Run drives the workload until the state
// the caption promises is reached (and, outside Fast mode, holds it a while
// so a class can look); it returns early, with ctx's error, when ctx ends —
// the runner cancels ctx for Next, Restart and exit. Every write goes through
// env.Batch so Pause takes effect.
type Stage struct {
	Caption string
	Run     func(ctx context.Context, env *Env) error
}

// StageCaption is the caption a runner sends as stage i (0-based) of s
// starts.
func (s Scenario) StageCaption(i int) model.Caption {
	return stageCaption(i+1, len(s.Stages), s.Stages[i].Caption)
}

// stageCaption is a caption of stage (1-based) of of: "Stage 2/4: …".
func stageCaption(stage, of int, text string) model.Caption {
	return model.Caption{Text: fmt.Sprintf("Stage %d/%d: ", stage, of) + text, Stage: stage, Of: of}
}

// ClusterCaptions are the cluster scenario's stage captions, as its runner
// sends them (the stages' workloads need a running cluster; their captions
// do not).
func ClusterCaptions() []model.Caption {
	sc := clusterScenario(nil, 0)
	out := make([]model.Caption, len(sc.Stages))
	for i := range sc.Stages {
		out[i] = sc.StageCaption(i)
	}
	return out
}

// noMaxmemory lifts a limit an earlier part of the tour set.
const noMaxmemory = "maxmemory 0"

// DefaultScenario is what `redis-memtop demo` runs without a name.
const DefaultScenario = "tour"

// Scenarios lists the built-in scenarios, the default first.
func Scenarios() []Scenario {
	growth, bgsave, frag := growthPart(), bgsavePart(), fragmentationPart()
	return []Scenario{
		tour(growth, bgsave, frag),
		growth,
		frag,
		bgsave,
		bigkeyPart(),
		ttlLeakPart(),
		clientBuffersPart(),
		mixedPart(),
	}
}

// Lookup finds a scenario by name (case-insensitive); "" is the default.
func Lookup(name string) (Scenario, bool) {
	if name == "" {
		name = DefaultScenario
	}
	for _, s := range Scenarios() {
		if strings.EqualFold(s.Name, name) {
			return s, true
		}
	}
	return Scenario{}, false
}

// tour runs several scenarios in a row on one server. Each part's first
// stage flushes the server and sets its own config with CONFIG SET, so the
// parts do not depend on what ran before, and the server starts with no
// config of its own: a part that restarts the server from a snapshot (the
// fragmentation cure) must not come back under another part's maxmemory.
func tour(parts ...Scenario) Scenario {
	t := Scenario{Name: "tour", Summary: "the default: " + partNames(parts) + " in a row, on one server"}
	for _, p := range parts {
		for _, st := range p.Stages {
			t.Stages = append(t.Stages, Stage{Caption: p.Name + " — " + st.Caption, Run: st.Run})
		}
	}
	return t
}

func partNames(parts []Scenario) string {
	names := make([]string, len(parts))
	for i, p := range parts {
		names[i] = p.Name
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
