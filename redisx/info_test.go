package redisx

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const infoDir = "testdata/info"

func readFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(infoDir, name))
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return string(b)
}

func fixtureNames(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(infoDir)
	if err != nil {
		t.Fatalf("fixtures: %v", err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".txt") {
			out = append(out, e.Name())
		}
	}
	if len(out) < 12 {
		t.Fatalf("expected the 12 INFO captures in %s, found %d", infoDir, len(out))
	}
	return out
}

// rawLookup finds "key:value" in INFO text without the parser under test, so
// the parser is checked against an independent reading of the capture.
func rawLookup(text, key string) (string, bool) {
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			return v, true
		}
	}
	return "", false
}

func TestParseInfoCapturesKeepEveryLine(t *testing.T) {
	for _, name := range fixtureNames(t) {
		t.Run(name, func(t *testing.T) {
			text := readFixture(t, name)
			info := ParseInfo(text)
			// Every header and every key:value line of the capture is kept,
			// in order, with its exact value.
			var headers []string
			var fields []Field
			for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
				switch {
				case strings.HasPrefix(line, "# "):
					headers = append(headers, line[2:])
				case strings.Contains(line, ":"):
					k, v, _ := strings.Cut(line, ":")
					fields = append(fields, Field{k, v})
				}
			}
			var gotHeaders []string
			var gotFields []Field
			for _, s := range info.Sections {
				gotHeaders = append(gotHeaders, s.Name)
				gotFields = append(gotFields, s.Fields...)
			}
			if !slices.Equal(headers, gotHeaders) {
				t.Errorf("sections = %v, want %v", gotHeaders, headers)
			}
			if !slices.Equal(fields, gotFields) {
				t.Errorf("got %d fields, want %d (first difference matters)", len(gotFields), len(fields))
				for i := range min(len(fields), len(gotFields)) {
					if fields[i] != gotFields[i] {
						t.Errorf("field %d = %+v, want %+v", i, gotFields[i], fields[i])
						break
					}
				}
			}
			// Values keep their colons: IPv6 / host:port inside values.
			for _, f := range gotFields {
				if strings.Contains(f.Key, ":") {
					t.Errorf("key %q holds a colon: split on the first colon only", f.Key)
				}
			}
		})
	}
}

func TestParseInfoLineEndingsAndVerbatim(t *testing.T) {
	lf := "# Server\nredis_version:7.0.15\n\n# Memory\nused_memory:100\n"
	crlf := strings.ReplaceAll(lf, "\n", "\r\n")
	verbatim := "txt:" + crlf
	want := ParseInfo(lf)
	for name, in := range map[string]string{"crlf": crlf, "verbatim": verbatim, "no final newline": strings.TrimSuffix(lf, "\n")} {
		got := ParseInfo(in)
		if len(got.Sections) != 2 {
			t.Fatalf("%s: %d sections", name, len(got.Sections))
		}
		for i := range want.Sections {
			if !slices.Equal(want.Sections[i].Fields, got.Sections[i].Fields) || want.Sections[i].Name != got.Sections[i].Name {
				t.Errorf("%s: section %d = %+v, want %+v", name, i, got.Sections[i], want.Sections[i])
			}
		}
	}
	if v, _ := ParseInfo(verbatim).Get("redis_version"); v != v7015 {
		t.Errorf("verbatim redis_version = %q", v)
	}
}

func TestParseInfoGotchas(t *testing.T) {
	text := strings.Join([]string{
		"# Server",
		"executable:C:\\Redis\\\"c:\\redis-server.exe\"",
		"config_file:",
		"availability_zone:",
		"listener0:name=tcp,bind=*,bind=-::*,port=6379",
		"this line has no colon",
		"key with space: 1",
		":novalue",
		"# Replication",
		"slave0:ip=::1,port=6380,state=online,offset=10,lag=0",
		"# Modules",
		"module:name=ReJSON,ver=20007,api=1,filters=0,usedby=[search],using=[],options=[handle-io-errors]",
		"module:name=search,ver=20604,api=1,filters=0,usedby=[],using=[ReJSON,x],options=[]",
		"# Keyspace",
		"# Time:2024-01-01 00:00:00",
		"db0:keys=10,expires=2,avg_ttl=2168483177407279,subexpiry=0",
		"db3:keys=1,expires=0,avg_ttl=0",
		"dbx:keys=1",
		"db12:keys=5,expires=5,avg_ttl=-1,hits=3,misses=1,hit_ratio=75.00",
	}, "\r\n")
	info := ParseInfo(text)

	if v, _ := info.Get("executable"); v != "C:\\Redis\\\"c:\\redis-server.exe\"" {
		t.Errorf("executable = %q", v)
	}
	if v, ok := info.Get("config_file"); !ok || v != "" {
		t.Errorf("empty value: %q %v", v, ok)
	}
	if _, ok := info.Get("this line has no colon"); ok {
		t.Error("a line without a colon was kept")
	}
	if _, ok := info.Get("key with space"); ok {
		t.Error("a key with a space was kept")
	}
	if _, ok := info.Get(""); ok {
		t.Error("an empty key was kept")
	}
	lst := ParseKV(mustGet(t, info, "listener0"))
	if len(lst) != 4 || lst[1] != (Field{"bind", "*"}) || lst[2] != (Field{"bind", "-::*"}) {
		t.Errorf("listener0 kv = %+v: repeated keys must be kept", lst)
	}
	slave := ParseKV(mustGet(t, info, "slave0"))
	if ip, _ := kvGet(slave, "ip"); ip != "::1" {
		t.Errorf("slave0 ip = %q", ip)
	}
	mods, _ := info.Section("modules")
	if got := mods.All("module"); len(got) != 2 {
		t.Fatalf("module lines = %d, want both", len(got))
	}
	mod := ParseKV(mods.All("module")[1])
	if using, _ := kvGet(mod, "using"); using != "[ReJSON,x]" {
		t.Errorf("using = %q: commas inside [...] belong to the value", using)
	}
	if info.HasSection("time:2024-01-01 00:00:00") {
		t.Error("a comment inside Keyspace became a section")
	}

	ks := info.Keyspace()
	if len(ks) != 3 {
		t.Fatalf("keyspace = %+v", ks)
	}
	if ks[0].DB != 0 || ks[0].Keys.V != 10 || ks[0].Expires.V != 2 || ks[0].AvgTTL.V != 2168483177407279 {
		t.Errorf("db0 = %+v", ks[0])
	}
	if ks[1].DB != 3 || !ks[1].AvgTTL.Valid || ks[1].AvgTTL.V != 0 {
		t.Errorf("db3 = %+v", ks[1])
	}
	if ks[2].DB != 12 || ks[2].Keys.V != 5 || ks[2].AvgTTL.Valid {
		t.Errorf("db12 (Dragonfly avg_ttl=-1 is not a TTL) = %+v", ks[2])
	}
	if got := info.SectionNames(); !slices.Equal(got, []string{"server", "replication", "modules", "keyspace"}) {
		t.Errorf("section names = %v", got)
	}
}

func mustGet(t *testing.T, info Info, key string) string {
	t.Helper()
	v, ok := info.Get(key)
	if !ok {
		t.Fatalf("%s missing", key)
	}
	return v
}

func TestParseNumber(t *testing.T) {
	cases := []struct {
		in    string
		want  float64
		valid bool
	}{
		{"1464896", 1464896, true},
		{"98.75%", 98.75, true},
		{"inf%", 0, false},
		{"nan", 0, false},
		{"-nan", 0, false},
		{"NaN", 0, false},
		{"inf", 0, false},
		{"-inf", 0, false},
		{"Infinity", 0, false},
		{"-1", -1, true},
		{"-2174976", -2174976, true},
		{"18446744073708745280", 0, false},                 // %zu wrap-around
		{"4611686018427387904", 4611686018427387904, true}, // exactly 2^62 is kept
		{"4611686018427387905000", 0, false},
		{"-9223372036854775808", 0, false},
		{"0.076107", 0.076107, true},
		{"1e3", 1000, true},
		{"1e400", 0, false},
		{"0x10", 0, false},
		{"1_000", 0, false},
		{"1.40M", 0, false},
		{"unavailable", 0, false},
		{"", 0, false},
		{" 12 ", 12, true},
		{"%", 0, false},
		{"12%%", 0, false},
		{"+5", 5, true},
	}
	for _, c := range cases {
		got := ParseNumber(c.in)
		if got.Valid != c.valid || (c.valid && got.V != c.want) {
			t.Errorf("ParseNumber(%q) = %+v, want %v valid=%v", c.in, got, c.want, c.valid)
		}
	}
}

func TestErrorstats(t *testing.T) {
	redisStyle := ParseInfo("# Errorstats\r\nerrorstat_ERR:count=3\r\nerrorstat_OOM:count=7\r\nerrorstat_NOPERM:count=1\r\n")
	if got := redisStyle.OOMErrors(); !got.Valid || got.V != 7 {
		t.Errorf("OOM = %+v", got)
	}
	if es := redisStyle.Errorstats(); len(es) != 3 || es[0].Name != "ERR" || es[0].Count.V != 3 {
		t.Errorf("errorstats = %+v", es)
	}
	dragonfly := ParseInfo("# Errorstats\r\nsyntax_error:3\r\nOOM:2\r\n")
	if got := dragonfly.OOMErrors(); !got.Valid || got.V != 2 {
		t.Errorf("Dragonfly OOM = %+v", got)
	}
	noOOM := ParseInfo("# Errorstats\r\nerrorstat_ERR:count=3\r\n")
	if got := noOOM.OOMErrors(); !got.Valid || got.V != 0 {
		t.Errorf("section without OOM = %+v, want present 0", got)
	}
	if got := ParseInfo("# Stats\r\nexpired_keys:1\r\n").OOMErrors(); got.Valid {
		t.Errorf("no Errorstats section = %+v, want absent", got)
	}
}

func TestParseKVEdgeCases(t *testing.T) {
	cases := map[string][]Field{
		"":            nil,
		"a=1":         {{"a", "1"}},
		"a=1,,b=2":    {{"a", "1"}, {"b", "2"}},
		"a=[x,y],b=]": {{"a", "[x,y]"}, {"b", "]"}},
		"novalue,c=3": {{"c", "3"}},
		"a=b=c":       {{"a", "b=c"}},
	}
	for in, want := range cases {
		if got := ParseKV(in); !slices.Equal(got, want) {
			t.Errorf("ParseKV(%q) = %+v, want %+v", in, got, want)
		}
	}
}

func FuzzParseInfo(f *testing.F) {
	entries, err := os.ReadDir(infoDir)
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(infoDir, e.Name()))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("txt:# Memory\r\nused_memory:nan\r\nallocator_frag_bytes:18446744073708745280\r\nused_memory_peak_perc:inf%\r\n")
	f.Add("# Keyspace\ndb0:keys=1,expires=0,avg_ttl=0,subexpiry=0\ndb-1:keys=x\n# Errorstats\nerrorstat_OOM:count=-nan\n")
	f.Add("no header:1\n#\n# \n:\n::\n#:\n")
	f.Fuzz(func(t *testing.T, text string) {
		info := ParseInfo(text)
		s := SampleFromInfo(info, testTime, 0)
		checkFinite(t, s)
		for _, sec := range info.Sections {
			for _, fld := range sec.Fields {
				if fld.Key == "" || strings.ContainsAny(fld.Key, ": \t\r\n") {
					t.Fatalf("bad key %q", fld.Key)
				}
				if n := ParseNumber(fld.Value); n.Valid && (math.IsNaN(n.V) || math.IsInf(n.V, 0) || math.Abs(n.V) > maxBogus) {
					t.Fatalf("number %v from %q", n.V, fld.Value)
				}
				for _, kv := range ParseKV(fld.Value) {
					if kv.Key == "" {
						t.Fatalf("empty kv key from %q", fld.Value)
					}
				}
			}
		}
	})
}
