package cli

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/redis-memtop/redis-memtop/app"

	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// restrictedReport is the part of the JSON report these tests read; numbers
// are *float64 so null (unknown) and 0 stay apart.
type restrictedReport struct {
	Server struct {
		Product string `json:"product"`
		Version string `json:"version"`
	} `json:"server"`
	Memory struct {
		UsedMemory *float64 `json:"used_memory"`
		MaxMemory  *float64 `json:"maxmemory"`
	} `json:"memory"`
	Unavailable map[string]string `json:"unavailable"`
	Config      map[string]string `json:"config"`
	Clients     json.RawMessage   `json:"clients"`
	Doctor      string            `json:"memory_doctor"`
	BigKeys     *struct {
		Complete     bool     `json:"complete"`
		Scanned      int64    `json:"scanned"`
		Notes        []string `json:"notes"`
		UnknownBytes int64    `json:"unknown_bytes_keys"`
		Top          []struct {
			Key      string   `json:"key"`
			Type     string   `json:"type"`
			Encoding *string  `json:"encoding"`
			Bytes    *float64 `json:"bytes"`
			Elements *float64 `json:"elements"`
		} `json:"top"`
		TopElements []struct {
			Key      string   `json:"key"`
			Type     string   `json:"type"`
			Elements *float64 `json:"elements"`
		} `json:"top_elements"`
	} `json:"bigkeys"`
	Checklist []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Reason string `json:"reason"`
		Title  string `json:"title"`
	} `json:"checklist"`
}

func (r *restrictedReport) check(id string) (status, reason string) {
	for _, c := range r.Checklist {
		if c.ID == id {
			return c.Status, c.Reason
		}
	}
	return "", ""
}

// runRestrictedReport runs `report --scan` in JSON and Markdown and returns
// the parsed JSON and the Markdown.
func runRestrictedReport(t *testing.T, uri string) (*restrictedReport, string) {
	t.Helper()
	code, out, errOut := runCLI(t, "report", "--quick", "--scan", "--format", "json", "--interval", "100ms", uri)
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, errOut)
	}
	if strings.Contains(errOut, "panic") || strings.Contains(errOut, "goroutine ") {
		t.Fatalf("stderr: %s", errOut)
	}
	var rep restrictedReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("report is not JSON: %v", err)
	}
	code, md, errOut := runCLI(t, "report", "--quick", "--scan", "--interval", "100ms", uri)
	if code != 0 {
		t.Fatalf("report (markdown): exit %d: %s", code, errOut)
	}
	return &rep, md
}

var nanInf = regexp.MustCompile(`(?i)\b(nan|[+-]?inf)\b`)

// TestRestrictedServers: commands renamed away (rename-command X "") or
// denied by the ACL. The report still comes, valid; every denied command is
// in unavailable with its reason; the checks that needed it are unknown and
// say why; the scan still counts every key and says what it could not
// read; figures it could not read are null, never 0; the live UI renders.
func TestRestrictedServers(t *testing.T) {
	const keys = 400 + 3
	cases := []struct {
		name   string
		config []string
		acl    []any // ACL SETUSER arguments after the name; nil: default user
		// what must be unavailable (command → a word of the reason)
		unavailable map[string]string
		noObject    bool // OBJECT ENCODING unusable: no encoding, TYPE instead
		noMemory    bool // MEMORY USAGE unusable: bytes null
	}{
		{
			name: "CONFIG renamed", config: []string{`rename-command CONFIG ""`},
			unavailable: map[string]string{"CONFIG GET": "unknown command"},
		},
		{
			name: "MEMORY renamed", config: []string{`rename-command MEMORY ""`},
			unavailable: map[string]string{"MEMORY DOCTOR": "unknown command", "MEMORY USAGE": "unknown command"}, noMemory: true,
		},
		{
			name: "OBJECT renamed", config: []string{`rename-command OBJECT ""`},
			unavailable: map[string]string{"OBJECT ENCODING": "unknown command"}, noObject: true,
		},
		{
			name: "CLIENT renamed", config: []string{`rename-command CLIENT ""`},
			unavailable: map[string]string{"CLIENT LIST": "unknown command"},
		},
		{
			name: "all four renamed",
			config: []string{
				`rename-command CONFIG ""`, `rename-command MEMORY ""`,
				`rename-command OBJECT ""`, `rename-command CLIENT ""`,
			},
			unavailable: map[string]string{
				"CONFIG GET": "unknown", "CLIENT LIST": "unknown", "MEMORY DOCTOR": "unknown",
				"MEMORY USAGE": "unknown", "OBJECT ENCODING": "unknown",
			},
			noObject: true, noMemory: true,
		},
		{
			name: "ACL denies CONFIG CLIENT MEMORY OBJECT LATENCY",
			acl: []any{
				"on", ">R3stricted-Pw", "~*", "+@read", "+@connection", "+info", "+select",
				"-config", "-client", "-memory", "-object", "-latency",
			},
			unavailable: map[string]string{
				"CONFIG GET": "NOPERM", "CLIENT LIST": "NOPERM", "MEMORY DOCTOR": "NOPERM",
				"MEMORY USAGE": "NOPERM", "OBJECT ENCODING": "NOPERM",
			},
			noObject: true, noMemory: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := redistest.StartServer(t, append([]string{"maxmemory 64mb"}, tc.config...)...)
			w := demo.NewClient(srv.Addr)
			defer func() { _ = w.Close() }()
			ctx := t.Context()
			p := w.Pipeline()
			for i := range 400 {
				p.Set(ctx, "k:"+strconv.Itoa(i), strings.Repeat("v", i), 0)
			}
			p.RPush(ctx, "feed", make([]any, 2000)...)
			p.HSet(ctx, "h", "a", "1", "b", "2")
			p.SAdd(ctx, "s", "x", "y", "z")
			if _, err := p.Exec(ctx); err != nil {
				t.Fatal(err)
			}
			dbsize := w.DBSize(ctx).Val()
			uri := "redis://" + srv.Addr
			o := redisx.DefaultOptions()
			o.Addr = srv.Addr
			if tc.acl != nil {
				if err := w.Do(ctx, append([]any{"acl", "setuser", "restricted"}, tc.acl...)...).Err(); err != nil {
					t.Fatal(err)
				}
				uri = "redis://restricted:R3stricted-Pw@" + srv.Addr
				o.Username, o.Password = "restricted", "R3stricted-Pw"
			}
			rep, md := runRestrictedReport(t, uri)

			if rep.Server.Product != serverUnderTest(t).Product || rep.Memory.UsedMemory == nil || rep.Memory.MaxMemory == nil || *rep.Memory.MaxMemory != 64<<20 {
				t.Errorf("INFO figures lost: %+v %+v", rep.Server, rep.Memory)
			}
			for cmd, word := range tc.unavailable {
				if !strings.Contains(rep.Unavailable[cmd], word) {
					t.Errorf("unavailable[%s] = %q, want %q", cmd, rep.Unavailable[cmd], word)
				}
			}
			if len(rep.Unavailable) != len(tc.unavailable) {
				t.Errorf("unavailable = %v, want only %v", rep.Unavailable, tc.unavailable)
			}
			if _, denied := tc.unavailable["CONFIG GET"]; denied {
				if len(rep.Config) != 0 {
					t.Errorf("config invented: %v", rep.Config)
				}
				if st, why := rep.check("activedefrag"); st != "unknown" || why == "" {
					t.Errorf("activedefrag: %s %q", st, why)
				}
			}
			if _, denied := tc.unavailable["CLIENT LIST"]; denied && string(rep.Clients) != "" && string(rep.Clients) != "null" {
				t.Errorf("clients invented: %s", rep.Clients)
			}
			if _, denied := tc.unavailable["MEMORY DOCTOR"]; denied && rep.Doctor != "" {
				t.Errorf("doctor invented: %q", rep.Doctor)
			}
			for _, c := range rep.Checklist {
				if c.Status == "unknown" && c.Reason == "" {
					t.Errorf("%s unknown without a reason", c.ID)
				}
				if tc.noMemory && strings.Contains(c.Title, " 0B") {
					t.Errorf("%s invents a size: %q", c.ID, c.Title)
				}
			}

			// The scan goes on with what it may read.
			bk := rep.BigKeys
			if bk == nil || !bk.Complete || bk.Scanned != dbsize || bk.Scanned != keys {
				t.Fatalf("bigkeys: %+v (dbsize %d)", bk, dbsize)
			}
			notes := strings.Join(bk.Notes, "\n")
			if tc.noObject != strings.Contains(notes, "OBJECT ENCODING") || tc.noMemory != strings.Contains(notes, "MEMORY USAGE") {
				t.Errorf("scan notes %q (no OBJECT %v, no MEMORY %v)", bk.Notes, tc.noObject, tc.noMemory)
			}
			if len(bk.TopElements) == 0 || bk.TopElements[0].Key != "feed" || bk.TopElements[0].Type != "list" ||
				bk.TopElements[0].Elements == nil || *bk.TopElements[0].Elements != 2000 {
				t.Errorf("top by elements: %+v", bk.TopElements)
			}
			for _, k := range bk.Top {
				if tc.noMemory && k.Bytes != nil {
					t.Errorf("%s: bytes %v without MEMORY USAGE", k.Key, *k.Bytes)
				}
				if !tc.noMemory && k.Bytes == nil {
					t.Errorf("%s: bytes unknown with MEMORY USAGE", k.Key)
				}
				if tc.noObject && k.Encoding != nil && *k.Encoding != "" {
					t.Errorf("%s: encoding %q without OBJECT", k.Key, *k.Encoding)
				}
				if k.Type == "" || k.Type == "unknown" {
					t.Errorf("%s: type %q", k.Key, k.Type)
				}
			}
			if tc.noMemory && bk.UnknownBytes != keys {
				t.Errorf("unknown_bytes_keys = %d, want %d", bk.UnknownBytes, keys)
			}
			if st, why := rep.check("big-keys"); st == "" || (st == "unknown" && why == "") {
				t.Errorf("big-keys check: %s %q", st, why)
			}
			if tc.noMemory {
				sec := md[strings.Index(md, "## Big keys"):]
				if i := strings.Index(sec[3:], "\n## "); i >= 0 {
					sec = sec[:i+3]
				}
				if strings.Contains(sec, "0B") || !strings.Contains(sec, "Total: — in 403 keys") {
					t.Errorf("byte sums invented without MEMORY USAGE:\n%s", sec)
				}
			}
			if nanInf.MatchString(md) {
				t.Errorf("Markdown prints nan/inf: %q", nanInf.FindString(md))
			}
			for cmd := range tc.unavailable {
				if !strings.Contains(md, cmd) {
					t.Errorf("Markdown does not say %s is unavailable", cmd)
				}
			}

			// The live UI on the same server: it renders the degraded data.
			c := connectMain(t, o)
			r := startLive(t, c, rigOptions{scan: &app.ScanConfig{}, w: 200, h: 60})
			r.until("a complete scan and the extras", func(m ui.Model) bool {
				return scanDone(m) && m.Live().Extras != nil && m.Live().Checklist != nil
			})
			frame := r.frame()
			if !strings.Contains(frame, "Big keys") || !strings.Contains(frame, "Checklist") || !strings.Contains(frame, "feed") {
				t.Errorf("frame:\n%s", frame)
			}
			if tc.noMemory && (!strings.Contains(frame, "—") || strings.Contains(frame, "holds 0B")) {
				t.Errorf("unknown bytes not shown as —:\n%s", frame)
			}
			r.stop()
		})
	}
}
