package ui

import (
	"testing"

	"github.com/redis-memtop/redis-memtop/model"
)

func TestFailedOverCommands(t *testing.T) {
	t0 := model.CommandTarget{Host: "127.0.0.1", Port: 7000, DB: 2, User: "ops", Auth: true}
	for _, tc := range []struct {
		name   string
		t      model.CommandTarget
		detail string
		want   model.CommandTarget
	}{
		{"new master", t0, "127.0.0.1:7000 → 127.0.0.1:7001", model.CommandTarget{Host: "127.0.0.1", Port: 7001, DB: 2, User: "ops", Auth: true}},
		{"IPv6", t0, "127.0.0.1:7000 → [::1]:7002", model.CommandTarget{Host: "::1", Port: 7002, DB: 2, User: "ops", Auth: true}},
		{"no arrow", t0, "failover", t0},
		{"zero target stays zero", model.CommandTarget{}, "a:1 → b:2", model.CommandTarget{}},
	} {
		if got := failedOverCommands(tc.t, tc.detail); got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
