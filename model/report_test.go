package model

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func reportHistory() *History {
	h := NewHistory(10)
	a := smp(0, 1000, 3000, 10, "abc", 100)
	a.Sections = []string{"server", "memory", "keyspace"}
	a.Server.Product, a.Server.Version, a.Server.Role = ProductRedis, "7.0.15", "master"
	a.Memory.MaxMemory = Some(0)
	a.Keyspace = []DBKeys{{DB: 0, Keys: Some(5), Expires: Some(1), AvgTTL: Some(0)}}
	b := a
	b.Time = a.Time.Add(2 * time.Second)
	b.Stats.EvictedKeys = Some(30)
	b.Server.Uptime = Some(102)
	h.Add(a)
	h.Add(b)
	return h
}

func TestReportJSONShape(t *testing.T) {
	r := BuildReport(ReportInput{
		Now:    t0.Add(2 * time.Second),
		Target: ReportTarget{Addr: "127.0.0.1:6379", DB: 0},
		Hist:   reportHistory(),
		Extras: &Extras{Unavailable: []Unavailable{{Command: "CONFIG GET", Reason: "NOPERM"}}},
	})
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"schema", "generated_at", "target", "server", "memory", "persistence", "stats", "keyspace", "unavailable"} {
		if _, ok := m[k]; !ok {
			t.Errorf("missing %q in %s", k, b)
		}
	}
	if m["schema"] != ReportSchema {
		t.Errorf("schema %v", m["schema"])
	}
	mem := m["memory"].(map[string]any)
	if mem["used_memory"] != 1000.0 || mem["maxmemory"] != 0.0 {
		t.Errorf("memory %v", mem)
	}
	if v, ok := mem["allocator_frag_ratio"]; !ok || v != nil {
		t.Errorf("absent field must be null, got %v (present %v)", v, ok)
	}
	srv := m["server"].(map[string]any)
	for _, k := range []string{"product", "version", "role", "uptime_seconds", "run_id"} {
		if _, ok := srv[k]; !ok {
			t.Errorf("server.%s missing", k)
		}
	}
	ks := m["keyspace"].([]any)[0].(map[string]any)
	for _, k := range []string{"db", "keys", "expires", "avg_ttl"} {
		if _, ok := ks[k]; !ok {
			t.Errorf("keyspace.%s missing", k)
		}
	}
	if m["unavailable"].(map[string]any)["CONFIG GET"] != "NOPERM" {
		t.Errorf("unavailable %v", m["unavailable"])
	}
	if r.Rates.EvictedKeysPerSec != Some(10) {
		t.Errorf("evicted rate %+v", r.Rates.EvictedKeysPerSec)
	}
}

func TestReportEmptyHistory(t *testing.T) {
	r := BuildReport(ReportInput{Now: t0, Hist: NewHistory(4)})
	b, _ := json.Marshal(r)
	if !strings.Contains(string(b), `"keyspace":[]`) || !strings.Contains(string(b), `"unavailable":{}`) {
		t.Errorf("empty report must keep [] and {}: %s", b)
	}
	if len(r.Notes) == 0 {
		t.Error("an empty report must say why")
	}
}

func TestReportMarkdownEscapesServerText(t *testing.T) {
	h := reportHistory()
	last := h.Last()
	last.Server.RunID = "\x1b]0;owned\x07|x"
	r := BuildReport(ReportInput{
		Now: t0.Add(2 * time.Second), Hist: h,
		Extras: &Extras{
			Doctor:  &Doctor{Text: "Sam,\n\x1b[2Jhello"},
			Clients: &Clients{Count: 1, Top: []ClientInfo{{ID: "1", Addr: "127.0.0.1:1", Name: "evil\x1b[31m|name"}}},
		},
	})
	var buf bytes.Buffer
	if err := r.WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.ContainsRune(out, 0x1b) || strings.ContainsRune(out, 0x07) {
		t.Fatalf("raw control characters in the Markdown:\n%q", out)
	}
	for _, want := range []string{"# redis-memtop incident report", "used_memory", `\x1b]0;owned\x07\|x`, "## MEMORY DOCTOR", "> Sam,", `evil\x1b[31m\|name`} {
		if !strings.Contains(out, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, out)
		}
	}
}
