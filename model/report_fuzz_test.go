package model_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/redis-memtop/redis-memtop/model"
)

// fuzzReport builds a report whose every server string is s: key name
// (twice: as a big string and a list), client name and command, MEMORY
// DOCTOR, run_id, version, role, policy, an INFO field, a config value, an
// unavailable reason and a note.
func fuzzReport(s string) model.Report {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h := model.NewHistory(4)
	for i := range 2 {
		smp := model.Sample{Time: at.Add(time.Duration(i) * time.Second), Sections: []string{"server", "memory", "keyspace"}}
		smp.Server.Product, smp.Server.Version, smp.Server.Role, smp.Server.RunID = model.ProductRedis, model.Text(s), model.Text(s), model.Text(s)
		smp.Memory.UsedMemory, smp.Memory.UsedMemoryRSS = model.Some(100<<20), model.Some(120<<20)
		smp.Memory.MaxMemoryPolicy = model.Text(s)
		smp.Keyspace = []model.DBKeys{{DB: 0, Keys: model.Some(2), Expires: model.Some(0)}}
		h.Add(smp)
	}
	agg := model.NewBigKeysAgg(model.BigKeysConfig{}, nil)
	agg.Add(&model.KeyInfo{Key: s, Type: "string", Encoding: s, Bytes: 20 << 20, Elements: -1, TTL: -1})
	agg.Add(&model.KeyInfo{Key: s + ":list", Type: s, Bytes: 1 << 10, Elements: 5000, TTL: 60})
	scan := &model.ScanState{
		Progress: model.ScanProgress{Phase: model.ScanDone, Scanned: 2, DBSize: 2, Notes: []string{s}, Err: s},
		Result:   agg.Snapshot(),
	}
	ex := &model.Extras{
		Time:        at,
		Config:      &model.Config{Values: map[string]string{s: s, "activedefrag": s}},
		Clients:     &model.Clients{Count: 1, Top: []model.ClientInfo{{ID: s, Addr: s, Name: s, Flags: s, Cmd: s, TotMem: model.Some(1)}}},
		Doctor:      &model.Doctor{Text: s},
		Unavailable: []model.Unavailable{{Command: s, Reason: s}},
	}
	rep := model.BuildReport(model.ReportInput{
		Now: at.Add(time.Second), Target: model.ReportTarget{Addr: s}, Hist: h, Extras: ex, Scan: scan,
		Info: []model.InfoSection{{Name: s, Fields: [][2]string{{s, s}}}},
	})
	rep.Notes = append(rep.Notes, s)
	rep.Actions = []model.ActionLog{{Time: at, Action: s, Command: s, Result: s}}
	return rep
}

// FuzzReportStrings: whatever a server sends, the Markdown report holds no
// raw control character (but newlines), no C1, bidi or invisible format
// character, and is valid UTF-8; the JSON report is valid and gives the
// key name back exactly.
func FuzzReportStrings(f *testing.F) {
	for _, s := range []string{
		"", "plain", "\x1b]0;owned\x07", "\x1b]52;c;cm0K\x07", "\x1b]8;;https://e/\x1b\\x\x1b]8;;\x1b\\",
		"\x1b[2J", "\xff\xfe\x9b", "\u009b31m", "a\rb\bc", "\u202eexe\u2066", "a\u200bb\ufeff", "日本語🔥",
		"`|*_<>[]()#\n```", "\t\x00\x7f", "e\u0301",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rep := fuzzReport(s)
		var md bytes.Buffer
		if err := rep.WriteMarkdown(&md); err != nil {
			t.Fatal(err)
		}
		out := md.String()
		if !utf8.ValidString(out) {
			t.Fatalf("Markdown is not UTF-8 for %q", s)
		}
		for i, r := range out {
			if r != '\n' && (r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || model.NeedsEscape(r)) {
				t.Fatalf("raw %U in the Markdown at %d for %q: %q", r, i, s, out[max(i-20, 0):min(i+20, len(out))])
			}
		}
		js, err := json.Marshal(rep)
		if err != nil || !json.Valid(js) {
			t.Fatalf("JSON for %q: %v", s, err)
		}
		var back struct {
			BigKeys struct {
				Top []model.KeyInfo `json:"top"`
			} `json:"bigkeys"`
		}
		if err := json.Unmarshal(js, &back); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, k := range back.BigKeys.Top {
			found = found || k.Key == s
		}
		if !found {
			t.Fatalf("key %q does not round-trip through the JSON report", s)
		}
	})
}
