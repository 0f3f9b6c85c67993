package redisx

import (
	"strings"

	"github.com/redis-memtop/redis-memtop/model"
)

// ONReads reads the O(N) read commands (model.ONReadCommands) out of INFO
// commandstats; nil when the reply has no such section. Other commands are
// left out: the sample is kept for the whole history and in recordings.
func (i Info) ONReads() []model.CommandStat {
	sec, ok := i.Section("commandstats")
	if !ok {
		return nil
	}
	out := []model.CommandStat{}
	for _, f := range sec.Fields {
		name := strings.ToLower(strings.TrimPrefix(f.Key, "cmdstat_"))
		if !model.IsONRead(name) {
			continue
		}
		kv := ParseKV(f.Value)
		cs := model.CommandStat{Name: name, Calls: model.None(), Usec: model.None()}
		if v, ok := kvGet(kv, "calls"); ok {
			cs.Calls = ParseNumber(v)
		}
		if v, ok := kvGet(kv, "usec"); ok {
			cs.Usec = ParseNumber(v)
		}
		out = append(out, cs)
	}
	return out
}
