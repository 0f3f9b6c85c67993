package redisx

import (
	"testing"

	"github.com/redis-memtop/redis-memtop/model"
)

func TestOptionsCommandTarget(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
		want model.CommandTarget
	}{
		{"defaults", Options{}, model.CommandTarget{Host: "127.0.0.1", Port: 6379}},
		{
			"port, db, user, password",
			Options{Addr: "10.0.0.5:46379", DB: 3, Username: "ops", Password: "pw"},
			model.CommandTarget{Host: "10.0.0.5", Port: 46379, DB: 3, User: "ops", Auth: true},
		},
		{"IPv6", Options{Addr: "[::1]:7000"}, model.CommandTarget{Host: "::1", Port: 7000}},
		{
			"unix socket",
			Options{Network: NetworkUnix, Addr: "/run/redis.sock", DB: 1},
			model.CommandTarget{Socket: "/run/redis.sock", DB: 1},
		},
		{
			"TLS",
			Options{Addr: "cache:6380", TLS: TLSOptions{Enabled: true, CACert: "/ca.pem", Cert: "/c.pem", Key: "/k.pem", SNI: "cache.internal", Insecure: true}},
			model.CommandTarget{Host: "cache", Port: 6380, TLS: true, CACert: "/ca.pem", Cert: "/c.pem", Key: "/k.pem", SNI: "cache.internal", Insecure: true},
		},
		{"TLS options without TLS", Options{Addr: "cache:6380", TLS: TLSOptions{CACert: "/ca.pem"}}, model.CommandTarget{Host: "cache", Port: 6380}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.o.CommandTarget(); got != tc.want {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}
