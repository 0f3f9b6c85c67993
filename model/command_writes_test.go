package model

import (
	"slices"
	"strings"
	"testing"
)

// TestWriteCommandsGated: through Evaluate, a check offers a command that
// changes the server only when it found something and the server can run
// it; every other command stays.
func TestWriteCommandsGated(t *testing.T) {
	highFrag := func(s *Sample) {
		s.Memory.AllocatorFragRatio = Some(1.5)
		s.Memory.AllocatorFragBytes = Some(300 * mb)
	}
	systemJemalloc := &Allocator{Version: "5.3.0-0-g54eaed1d8b56b1aa528be3bdd1877e59c56fa90c"}
	bundledJemalloc := &Allocator{Version: "5.3.0-0-g0"}
	for _, tc := range []struct {
		name    string
		in      func() Inputs
		id      string
		status  Status
		offered []string // commands that must be there
		absent  []string // substrings no command may hold
		note    string   // a "# … not offered: why" line must say this
	}{
		{
			name: "maxmemory-set ok offers no CONFIG SET", in: one(nil), id: CheckMaxmemorySet, status: StatusOK,
			offered: []string{"redis-cli CONFIG GET maxmemory"}, absent: []string{"CONFIG SET", "# redis.conf"},
		},
		{
			name: "maxmemory-set warn offers it", in: one(func(s *Sample) { s.Memory.MaxMemory = Some(0) }), id: CheckMaxmemorySet, status: StatusWarn,
			offered: []string{"redis-cli CONFIG SET maxmemory 5734mb"},
		},
		{
			name: "activedefrag on a defrag build", in: withEx(one(highFrag), &Extras{Config: configOf(), Allocator: bundledJemalloc}),
			id: CheckActiveDefrag, status: StatusWarn, offered: []string{"redis-cli CONFIG SET activedefrag yes", "# redis.conf: activedefrag yes"},
		},
		{
			name: "activedefrag, allocator build not read", in: withEx(one(highFrag), &Extras{Config: configOf()}),
			id: CheckActiveDefrag, status: StatusWarn, offered: []string{"redis-cli CONFIG SET activedefrag yes"},
		},
		{
			name: "activedefrag on a system jemalloc", in: withEx(one(highFrag), &Extras{Config: configOf(), Allocator: systemJemalloc}),
			id: CheckActiveDefrag, status: StatusWarn, absent: []string{"activedefrag yes"}, note: "system build",
		},
		{
			name: "fragmentation check on a system jemalloc", in: withEx(one(func(s *Sample) {
				highFrag(s)
				s.Memory.MemFragmentationRatio = Some(1.9)
				s.Memory.UsedMemoryRSS = Some(1.9 * 100 * mb)
				s.Memory.UsedMemory = Some(100 * mb)
			}), &Extras{Config: configOf(), Allocator: systemJemalloc}),
			id: CheckFragmentation, absent: []string{"activedefrag yes"},
		},
		{
			name: "CONFIG denied: no CONFIG SET", in: withEx(one(func(s *Sample) { s.Memory.MaxMemory = Some(0) }), &Extras{Config: &Config{Err: noperm}}),
			id: CheckMaxmemorySet, status: StatusWarn, offered: []string{"# redis.conf: maxmemory 5734mb"}, absent: []string{"CONFIG SET"}, note: "CONFIG is not allowed for this user",
		},
		{
			name: "BGSAVE while a fork runs", in: one(func(s *Sample) {
				s.Persistence.RDBChangesSinceLastSave = Some(5_000_000)
				s.Persistence.RDBBgsaveInProgress = Some(1)
			}), id: CheckPersistenceRisk, absent: []string{"BGSAVE"},
		},
		{
			name: "BGSAVE with much unsaved", in: one(func(s *Sample) { s.Persistence.RDBChangesSinceLastSave = Some(5_000_000) }),
			id: CheckPersistenceRisk, offered: []string{"redis-cli BGSAVE"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch, ok := Evaluate(tc.in()).Find(tc.id)
			if !ok {
				t.Fatalf("no %s check", tc.id)
			}
			if tc.status != "" && ch.Status != tc.status {
				t.Fatalf("status %s, want %s (%s)", ch.Status, tc.status, ch.Title)
			}
			for _, want := range tc.offered {
				if !slices.Contains(ch.Commands, want) {
					t.Errorf("%q not offered: %q", want, ch.Commands)
				}
			}
			for _, cmd := range ch.Commands {
				for _, bad := range tc.absent {
					if strings.Contains(cmd, bad) && !isNote(cmd) {
						t.Errorf("%q offered: %q", bad, ch.Commands)
					}
				}
			}
			if tc.note != "" && !slices.ContainsFunc(ch.Commands, func(c string) bool {
				return isNote(c) && strings.Contains(c, tc.note)
			}) {
				t.Errorf("no note saying %q: %q", tc.note, ch.Commands)
			}
		})
	}
}

// TestNoWriteCommandWhenNothingFound: whatever the inputs of the rule
// tables, an ok or unknown check offers no command that changes the
// server.
func TestNoWriteCommandWhenNothingFound(t *testing.T) {
	for id, cases := range ruleTables() {
		for _, rc := range cases {
			for _, ch := range Evaluate(rc.in()) {
				if ch.Status != StatusOK && ch.Status != StatusUnknown {
					continue
				}
				for _, cmd := range ch.Commands {
					if IsWriteCommand(cmd) {
						t.Errorf("%s / %s: %s is %s but offers %q", id, rc.name, ch.ID, ch.Status, cmd)
					}
				}
			}
		}
	}
}

// TestEvaluateAimsCommands: the target given in Inputs reaches every
// redis-cli command of the checklist, and the report's.
func TestEvaluateAimsCommands(t *testing.T) {
	tg := CommandTarget{Host: "127.0.0.1", Port: 46379, DB: 3, User: "ops", Auth: true}
	in := one(func(s *Sample) { s.Memory.MaxMemory = Some(0) })()
	in.CommandTarget = tg
	rep := BuildReport(ReportInput{Now: in.Now, Hist: in.Hist, CommandTarget: tg})
	for _, cl := range []Checklist{Evaluate(in), rep.Checklist} {
		n := 0
		for _, ch := range cl {
			for _, cmd := range ch.Commands {
				if !strings.HasPrefix(cmd, "redis-cli") {
					continue
				}
				n++
				if !strings.Contains(cmd, "-p 46379") || !strings.Contains(cmd, "--user ops") {
					t.Errorf("%s: %q does not name the server", ch.ID, cmd)
				}
				if !strings.Contains(cmd, " -n ") {
					t.Errorf("%s: %q does not name the db", ch.ID, cmd)
				}
			}
			if slices.ContainsFunc(ch.Commands, func(c string) bool { return strings.Contains(c, "redis-cli") }) && ch.Commands[0] != AuthNote {
				t.Errorf("%s: no REDISCLI_AUTH note: %q", ch.ID, ch.Commands)
			}
		}
		if n < 10 {
			t.Errorf("only %d redis-cli commands", n)
		}
	}
}

func isNote(cmd string) bool {
	return strings.HasPrefix(cmd, "# ") && strings.Contains(cmd, " not offered: ")
}
