package redisx

import (
	"testing"

	"github.com/redis-memtop/redis-memtop/model"
)

func TestONReadsKeepsTheONReadsOnly(t *testing.T) {
	info := ParseInfo("# Commandstats\r\n" +
		"cmdstat_get:calls=10,usec=20,usec_per_call=2.00,rejected_calls=0,failed_calls=0\r\n" +
		"cmdstat_hgetall:calls=500,usec=150000,usec_per_call=300.00,rejected_calls=0,failed_calls=0\r\n" +
		"cmdstat_config|get:calls=3,usec=30,usec_per_call=10.00\r\n" +
		"cmdstat_KEYS:calls=2,usec=9000\r\n")
	got := info.ONReads()
	want := []model.CommandStat{
		{Name: "hgetall", Calls: model.Some(500), Usec: model.Some(150000)},
		{Name: "keys", Calls: model.Some(2), Usec: model.Some(9000)},
	}
	if len(got) != len(want) {
		t.Fatalf("%+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("[%d] %+v, want %+v", i, got[i], want[i])
		}
	}
	if ParseInfo("# Memory\r\nused_memory:1\r\n").ONReads() != nil {
		t.Error("no commandstats section must give nil (not read), not an empty list")
	}
}

func TestPollCommandsAddCommandstats(t *testing.T) {
	for _, c := range []struct {
		name string
		v    Version
		mode string
		want int // calls in the round trip
	}{
		{"7.0", Version{7, 0, 15}, ModeStandalone, 2},
		{"6.2", Version{6, 2, 16}, ModeStandalone, 3},
		{"4.0", Version{4, 0, 14}, ModeStandalone, 2},
		{"sentinel", Version{7, 4, 1}, ModeSentinel, 1},
	} {
		cmds := pollCommands(model.ProductRedis, c.v, c.mode)
		if len(cmds) != c.want {
			t.Errorf("%s: %d calls %v, want %d", c.name, len(cmds), cmds, c.want)
		}
		last := cmds[len(cmds)-1]
		isStats := len(last) == 2 && last[1] == "commandstats"
		if isStats != (c.mode != ModeSentinel) {
			t.Errorf("%s: last call %v", c.name, last)
		}
		for _, args := range cmds {
			if err := Check(false, args); err != nil {
				t.Errorf("%s: the guard refuses the poll: %v", c.name, err)
			}
		}
	}
}
