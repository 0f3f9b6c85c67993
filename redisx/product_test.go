package redisx

import (
	"strings"
	"testing"

	"github.com/redis-memtop/redis-memtop/model"
)

func TestDetectProduct(t *testing.T) {
	cases := []struct {
		name    string
		lines   []string
		product model.Product
		version string
	}{
		{"redis", []string{"redis_version:7.4.1", "os:Linux"}, model.ProductRedis, "7.4.1"},
		{"valkey 7.2 (server_name)", []string{rv724, nameValkey, "valkey_version:7.2.7"}, model.ProductValkey, "7.2.7"},
		{"valkey without valkey_version", []string{rv724, nameValkey}, model.ProductValkey, "7.2.4"},
		{"valkey on ElastiCache is valkey", []string{rv724, "valkey_version:8.0.1", "os:Amazon ElastiCache"}, model.ProductValkey, "8.0.1"},
		{"dragonfly", []string{"redis_version:7.4.0", "dragonfly_version:df-v1.27.1", nameValkey}, model.ProductDragonfly, "1.27.1"},
		{"dragonfly pre-1.0", []string{"redis_version:df-dev"}, model.ProductDragonfly, "dev"},
		{"keydb (mvcc_depth)", []string{rv634, "# KeyDB", "mvcc_depth:0"}, model.ProductKeyDB, v634},
		{"keydb (storage_provider)", []string{rv634, "storage_provider:none"}, model.ProductKeyDB, v634},
		{"keydb (server_threads)", []string{rv634, "server_threads:2"}, model.ProductKeyDB, v634},
		{"keydb (features in Server)", []string{rv634, "features:cluster_mget"}, model.ProductKeyDB, v634},
		{"elasticache", []string{"redis_version:7.1.0", "os:Amazon ElastiCache"}, model.ProductElastiCache, "7.1.0"},
		{"memorydb", []string{"redis_version:7.1.0", "os:Amazon MemoryDB"}, model.ProductMemoryDB, "7.1.0"},
		{"unknown", []string{"foo:bar"}, model.ProductUnknown, ""},
		{"empty redis_version", []string{"redis_version:"}, model.ProductUnknown, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			info := ParseInfo("# Server\r\n" + strings.Join(c.lines, "\r\n") + "\r\n")
			p, v := DetectProduct(info)
			if p != c.product || v != c.version {
				t.Errorf("got %s %q, want %s %q", p, v, c.product, c.version)
			}
		})
	}
}

func TestDetectProductOnCaptures(t *testing.T) {
	for _, name := range fixtureNames(t) {
		p, v := DetectProduct(ParseInfo(readFixture(t, name)))
		wantP := model.ProductRedis
		if strings.HasPrefix(name, "valkey") {
			wantP = model.ProductValkey
		}
		// The file name carries the real version: redis-7.0.15-…, valkey-8.0.1-….
		wantV := strings.Split(name, "-")[1]
		if p != wantP || v != wantV {
			t.Errorf("%s: %s %q, want %s %q", name, p, v, wantP, wantV)
		}
	}
}

func TestVersion(t *testing.T) {
	cases := []struct {
		in   string
		want Version
		ok   bool
	}{
		{v7015, Version{7, 0, 15}, true},
		{"v1.27.1", Version{1, 27, 1}, true},
		{"8.0.1-rc1", Version{8, 0, 1}, true},
		{"8.0-m02", Version{8, 0, 0}, true},
		{"6", Version{6, 0, 0}, true},
		{"dev", Version{}, false},
		{"", Version{}, false},
	}
	for _, c := range cases {
		got, ok := ParseVersion(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("ParseVersion(%q) = %v %v, want %v %v", c.in, got, ok, c.want, c.ok)
		}
	}
	v := Version{7, 2, 0}
	for _, c := range []struct {
		a, b, p int
		want    bool
	}{{7, 2, 0, true}, {7, 0, 0, true}, {6, 9, 9, true}, {7, 2, 1, false}, {7, 4, 0, false}, {8, 0, 0, false}} {
		if got := v.AtLeast(c.a, c.b, c.p); got != c.want {
			t.Errorf("7.2.0 AtLeast %d.%d.%d = %v", c.a, c.b, c.p, got)
		}
	}
	if v.String() != "7.2.0" {
		t.Errorf("String = %q", v.String())
	}
}

func TestInfoCommandsByServer(t *testing.T) {
	cases := []struct {
		name    string
		product model.Product
		version Version
		mode    string
		want    []string
	}{
		{"7.0 named sections", model.ProductRedis, Version{7, 0, 15}, ModeStandalone, []string{polledNamed}},
		{"valkey (compat 7.2.4)", model.ProductValkey, Version{7, 2, 4}, ModeStandalone, []string{polledNamed}},
		{"dragonfly names persistence", model.ProductDragonfly, Version{7, 4, 0}, "", []string{polledNamed}},
		{"6.2 plain + errorstats", model.ProductRedis, Version{6, 2, 16}, ModeStandalone, []string{cmdInfo, "info errorstats"}},
		{"keydb single section", model.ProductKeyDB, Version{6, 3, 4}, ModeStandalone, []string{cmdInfo, "info errorstats"}},
		{"6.0 plain", model.ProductRedis, Version{6, 0, 20}, ModeStandalone, []string{cmdInfo}},
		{"4.0 plain", model.ProductRedis, Version{4, 0, 14}, ModeStandalone, []string{cmdInfo}},
		{"sentinel plain", model.ProductRedis, Version{7, 4, 1}, ModeSentinel, []string{cmdInfo}},
	}
	for _, c := range cases {
		var got []string
		for _, args := range infoCommands(c.product, c.version, c.mode) {
			var parts []string
			for _, a := range args {
				parts = append(parts, argString(a))
			}
			got = append(got, strings.Join(parts, " "))
		}
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
		for _, args := range infoCommands(c.product, c.version, c.mode) {
			if err := Check(false, args); err != nil {
				t.Errorf("%s: the guard refuses the poll: %v", c.name, err)
			}
		}
	}
}
