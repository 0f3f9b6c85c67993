package redisx

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
)

func TestReadConfig(t *testing.T) {
	// The matrix runs it on 6.2 too: before 7.0 the thresholds have only
	// their ziplist names and there is no maxmemory-clients.
	pack, modern := "listpack", true
	if bin := redistest.RequireServer(t); !binaryAtLeast7(t, bin) {
		pack, modern = "ziplist", false
	}
	srv := redistest.StartServer(t, "maxmemory 64mb", "maxmemory-policy volatile-lru", "activedefrag no", "hash-max-"+pack+"-entries 256")
	c := connectT(t, optsFor(srv.Addr))
	cfg := c.ReadConfig(testCtx(t))
	if cfg.Err != "" {
		t.Fatalf("err %q", cfg.Err)
	}
	want := map[string]string{
		"maxmemory":                     "67108864",
		"maxmemory-policy":              "volatile-lru",
		"activedefrag":                  "no",
		"hash-max-" + pack + "-entries": "256",
	}
	for k, v := range want {
		if got, ok := cfg.Get(k); !ok || got != v {
			t.Errorf("%s = %q %v, want %q", k, got, ok, v)
		}
	}
	keys := []string{
		"maxmemory-samples", "active-defrag-threshold-lower", "active-defrag-cycle-max",
		"lazyfree-lazy-eviction", "set-max-intset-entries", "zset-max-" + pack + "-value", "list-max-" + pack + "-size",
		"client-output-buffer-limit", "repl-backlog-size", "save", "appendonly", "appendfsync", "io-threads", "hz",
	}
	if modern {
		keys = append(keys, "maxmemory-clients")
	}
	for _, k := range keys {
		if _, ok := cfg.Get(k); !ok {
			t.Errorf("%s missing", k)
		}
	}
	if !modern {
		return
	}
	for k := range cfg.Values {
		if strings.Contains(k, "ziplist") {
			t.Errorf("alias %s kept beside its listpack name", k)
		}
	}
}

// binaryAtLeast7 reads a redis-server's --version: 7.0 or newer (Valkey
// counts as 7.2).
func binaryAtLeast7(t *testing.T, bin string) bool {
	t.Helper()
	out, err := exec.Command(bin, "--version").Output() //nolint:noctx // the test's own server binary
	if err != nil {
		t.Fatalf("%s --version: %v", bin, err)
	}
	_, v, _ := strings.Cut(string(out), " v=")
	major, _, _ := strings.Cut(v, ".")
	n, err := strconv.Atoi(major)
	return err != nil || n >= 7
}

func TestDedupeAliases(t *testing.T) {
	// 7.0+ answers with both names; 6.2 has only the ziplist ones.
	both := map[string]string{"hash-max-ziplist-entries": "512", "hash-max-listpack-entries": "512", "zset-max-ziplist-value": "64", "zset-max-listpack-value": "64", "set-max-intset-entries": "512"}
	dedupeAliases(both)
	if len(both) != 3 || both["hash-max-listpack-entries"] != "512" || both["set-max-intset-entries"] != "512" {
		t.Errorf("7.0+: %v", both)
	}
	old := map[string]string{"hash-max-ziplist-entries": "512", "zset-max-ziplist-entries": "128", "list-max-ziplist-size": "-2"}
	dedupeAliases(old)
	if len(old) != 3 {
		t.Errorf("6.2 names dropped: %v", old)
	}
}

// TestReadersDeniedByACL: a monitoring user without CONFIG, CLIENT and
// MEMORY still connects and polls; the Extras say which commands were denied
// and why, and denied commands are not sent again.
func TestReadersDeniedByACL(t *testing.T) {
	srv := redistest.StartServer(t, "maxmemory 32mb")
	plain := redistest.Client(t, srv.Addr)
	ctx := testCtx(t)
	if err := plain.Do(ctx, "acl", "setuser", "mon", "on", ">pw", "+@read", "+@connection", "+info", "-config", "-client", "-memory").Err(); err != nil {
		t.Fatal(err)
	}
	o := optsFor(srv.Addr)
	o.Username, o.Password = "mon", "pw"
	c := connectT(t, o)

	ex := c.ReadExtras(ctx, time.Now())
	got := map[string]string{}
	for _, u := range ex.Unavailable {
		got[u.Command] = u.Reason
	}
	for _, cmd := range []string{"CONFIG GET", "CLIENT LIST", "MEMORY DOCTOR"} {
		if !strings.HasPrefix(got[cmd], "NOPERM") {
			t.Errorf("%s: reason %q, want NOPERM", cmd, got[cmd])
		}
	}
	if len(ex.Unavailable) != 3 {
		t.Errorf("unavailable = %+v", ex.Unavailable)
	}
	if ex.Config == nil || ex.Config.Values != nil || !strings.HasPrefix(ex.Config.Err, "NOPERM") {
		t.Errorf("config = %+v", ex.Config)
	}
	if ex.Clients == nil || ex.Clients.Count != 0 || ex.Clients.Err == "" || ex.Doctor == nil || ex.Doctor.Err == "" {
		t.Errorf("clients %+v doctor %+v", ex.Clients, ex.Doctor)
	}

	// Denials are remembered: a second round sends none of them (the
	// server's NOPERM counter does not move) and reports the same reasons.
	before := ParseInfo(plain.Info(ctx, "errorstats").Val()).Errorstats()
	ex2 := c.ReadExtras(ctx, time.Now())
	after := ParseInfo(plain.Info(ctx, "errorstats").Val()).Errorstats()
	if fmt.Sprint(before) != fmt.Sprint(after) || len(before) == 0 {
		t.Errorf("second round reached the server: errorstats %v → %v", before, after)
	}
	if len(ex2.Unavailable) != 3 {
		t.Errorf("second round unavailable = %+v", ex2.Unavailable)
	}

	// INFO is allowed: maxmemory still comes from INFO memory.
	p := NewPoller(c, 50*time.Millisecond, time.Second)
	p.ExtrasInterval = 0
	us := collect(t, p, func(u []updateRec) bool { return countSamples(u) >= 1 })
	for _, u := range us {
		if u.Sample != nil && !u.Sample.IsGap() && u.Sample.Memory.MaxMemory != model.Some(32<<20) {
			t.Errorf("maxmemory from INFO = %+v", u.Sample.Memory.MaxMemory)
		}
	}
}

func TestReadersConfigRenamed(t *testing.T) {
	srv := redistest.StartServer(t, `rename-command CONFIG ""`)
	c := connectT(t, optsFor(srv.Addr))
	ex := c.ReadExtras(testCtx(t), time.Now())
	if len(ex.Unavailable) != 1 || ex.Unavailable[0].Command != "CONFIG GET" || !strings.Contains(ex.Unavailable[0].Reason, "unknown command") {
		t.Fatalf("unavailable = %+v", ex.Unavailable)
	}
	if ex.Config == nil || ex.Config.Err == "" || len(ex.Config.Values) != 0 {
		t.Errorf("config = %+v", ex.Config)
	}
	if ex.Clients == nil || ex.Clients.Count == 0 || ex.Doctor == nil || ex.Doctor.Text == "" {
		t.Errorf("the other readers should work: %+v %+v", ex.Clients, ex.Doctor)
	}
}

func TestReadersOnDeadServer(t *testing.T) {
	srv := redistest.StartServer(t)
	c := connectT(t, optsFor(srv.Addr))
	srv.Kill()
	ex := c.ReadExtras(testCtx(t), time.Now())
	if len(ex.Unavailable) != 0 {
		t.Errorf("a dead server is not a denial: %+v", ex.Unavailable)
	}
	if ex.Config.Err == "" || ex.Clients.Err == "" || ex.Doctor.Err == "" {
		t.Errorf("errors not reported: %+v %+v %+v", ex.Config, ex.Clients, ex.Doctor)
	}
}

// Real CLIENT LIST replies from the captures (reference §9).
var clientListCaptures = map[string]string{
	v4014:          "id=3 addr=127.0.0.1:48590 fd=7 name= age=1 idle=0 flags=N db=0 sub=0 psub=0 multi=-1 qbuf=0 qbuf-free=32768 obl=0 oll=0 omem=0 events=r cmd=client\n",
	"6.0.20":       "id=4 addr=127.0.0.1:49944 fd=7 name= age=1 idle=0 flags=N db=0 sub=0 psub=0 multi=-1 qbuf=26 qbuf-free=32742 argv-mem=10 obl=0 oll=0 omem=0 tot-mem=61466 events=r cmd=client user=default\n",
	"7.4.1":        "id=3 addr=127.0.0.1:46702 laddr=127.0.0.1:48381 fd=11 name= age=1 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 watch=0 qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=1024 rbp=1024 obl=0 oll=0 omem=0 tot-mem=22426 events=r cmd=client|list user=default redir=-1 resp=2 lib-name= lib-ver=\n",
	"valkey-8.0.1": "id=3 addr=127.0.0.1:53142 laddr=127.0.0.1:50503 fd=9 name= age=1 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 watch=0 qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=2048 rbp=2048 obl=0 oll=0 omem=0 tot-mem=23450 events=r cmd=client|list user=default redir=-1 resp=2 lib-name= lib-ver= tot-net-in=121655 tot-net-out=25985 tot-cmds=75\n",
}

func TestParseClientListCaptures(t *testing.T) {
	for v, text := range clientListCaptures {
		cl := ParseClientList(text, 5)
		if cl.Count != 1 || len(cl.Top) != 1 || cl.Top[0].Addr == "" || !cl.Top[0].Age.Valid || !cl.Top[0].Omem.Valid {
			t.Errorf("%s: %+v", v, cl)
			continue
		}
		if !cl.TotalOmem.Valid || cl.TotalOmem.V != 0 {
			t.Errorf("%s: omem %+v", v, cl.TotalOmem)
		}
		hasTot := v != v4014
		if cl.TotalMem.Valid != hasTot || cl.Top[0].TotMem.Valid != hasTot {
			t.Errorf("%s: tot-mem %+v / %+v, present should be %v", v, cl.TotalMem, cl.Top[0].TotMem, hasTot)
		}
	}
	if cl := ParseClientList(clientListCaptures["7.4.1"], 1); cl.Top[0].Cmd != "client|list" || cl.Top[0].TotMem.V != 22426 || cl.Top[0].Qbuf.V != 26 {
		t.Errorf("7.4.1 fields: %+v", cl.Top[0])
	}
}

func TestParseClientListSumsAndTop(t *testing.T) {
	text := strings.Join([]string{
		"id=1 addr=10.0.0.1:1 name=small age=10 idle=1 flags=N qbuf=0 omem=0 tot-mem=1000 cmd=get",
		"id=2 addr=10.0.0.2:2 name=big age=20 idle=0 flags=N qbuf=10 omem=500000 tot-mem=600000 cmd=subscribe",
		"id=3 addr=10.0.0.3:3 name=\x1b[31mred age=5 idle=5 flags=S qbuf=0 omem=20000 tot-mem=30000 cmd=psync",
		"",
		"garbage line without an id",
		"id=4 addr=10.0.0.4:4 name= age=1 idle=1 flags=N qbuf=0 omem=0 tot-mem=2000 cmd=info\r",
	}, "\n")
	cl := ParseClientList(text, 2)
	if cl.Count != 4 || cl.TotalMem != model.Some(633000) || cl.TotalOmem != model.Some(520000) {
		t.Fatalf("summary = %+v", cl)
	}
	if len(cl.Top) != 2 || cl.Top[0].ID != "2" || cl.Top[1].ID != "3" {
		t.Errorf("top = %+v", cl.Top)
	}
	if cl.Top[1].Name != "\x1b[31mred" {
		t.Errorf("server text must be kept raw here (escaped at draw time): %q", cl.Top[1].Name)
	}
	// Dragonfly: no memory fields at all → sums absent, not 0.
	df := ParseClientList("id=7 addr=127.0.0.1:5 laddr=127.0.0.1:6379 fd=20 name= tid=0 irqmatch=0 age=3 idle=3 tot-cmds=1 db=0 flags=N phase=process lib-name= lib-ver=\n", 10)
	if df.Count != 1 || df.TotalMem.Valid || df.TotalOmem.Valid || df.Top[0].TotMem.Valid {
		t.Errorf("dragonfly = %+v", df)
	}
	if none := ParseClientList("", 10); none.Count != 0 || none.TotalMem.Valid || none.Top != nil {
		t.Errorf("empty = %+v", none)
	}
}

type fakeReply string

func (e fakeReply) Error() string { return string(e) }
func (fakeReply) RedisError()     {}

func TestDenial(t *testing.T) {
	cases := []struct {
		err    error
		denied bool
		prefix string
	}{
		{fakeReply("NOPERM User mon has no permissions to run the 'config|get' command"), true, "NOPERM"},
		{fakeReply("ERR unknown command 'CONFIG', with args beginning with: 'GET' 'maxmemory*' "), true, "unknown command"},
		{fakeReply("ERR unknown subcommand 'DOCTOR'. Try MEMORY HELP."), true, "unknown command"},
		{fakeReply("ERR command not allowed in this environment"), true, "blocked"},
		{fmt.Errorf("wrapped: %w", ErrForbidden), true, "refused"},
		{fakeReply("LOADING Redis is loading the dataset in memory"), false, ""},
		{errors.New("dial tcp: connection refused"), false, ""},
		{nil, false, ""},
	}
	for _, c := range cases {
		reason, denied := Denial(c.err)
		if denied != c.denied || !strings.HasPrefix(reason, c.prefix) {
			t.Errorf("Denial(%v) = %q %v", c.err, reason, denied)
		}
	}
}

func FuzzParseClientList(f *testing.F) {
	for _, text := range clientListCaptures {
		f.Add(text)
	}
	f.Add("id=1 tot-mem=nan omem=-1 qbuf=18446744073709551615\nid=2 tot-mem=1e400\n")
	f.Fuzz(func(t *testing.T, text string) {
		cl := ParseClientList(text, 3)
		if len(cl.Top) > 3 || len(cl.Top) > cl.Count {
			t.Fatalf("top %d of %d", len(cl.Top), cl.Count)
		}
		for _, o := range []model.Opt{cl.TotalMem, cl.TotalOmem} {
			if o.Valid && (o.V != o.V || o.V > 1e300 || o.V < -1e300) {
				t.Fatalf("sum %v", o.V)
			}
		}
	})
}

// TestDedupeAliasesOnCaptures uses the captured `CONFIG GET *max-*-entries`
// replies: 7.0+ report ziplist aliases beside the listpack names, 6.2 only
// the ziplist ones.
func TestDedupeAliasesOnCaptures(t *testing.T) {
	for _, v := range []string{"redis-6.2.16", "redis-7.0.15-debian", "redis-7.2.6", "redis-7.4.1", "valkey-8.0.1"} {
		b, err := os.ReadFile(filepath.Join("testdata", "memory", "local-"+v+"-config-max-entries.txt"))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Fields(string(b))
		m := map[string]string{}
		for i := 0; i+1 < len(lines); i += 2 {
			m[lines[i]] = lines[i+1]
		}
		dedupeAliases(m)
		listpack := strings.HasPrefix(v, "redis-7") || strings.HasPrefix(v, "valkey")
		if _, ok := m["hash-max-listpack-entries"]; ok != listpack {
			t.Errorf("%s: listpack name present %v", v, ok)
		}
		if _, ok := m["hash-max-ziplist-entries"]; ok == listpack {
			t.Errorf("%s: ziplist alias present %v", v, ok)
		}
		if m["set-max-intset-entries"] != "512" {
			t.Errorf("%s: %v", v, m)
		}
	}
}

// TestReadDoctorMatchesCapture: on an empty instance MEMORY DOCTOR gives the
// fixed text captured from every version; RESP3 (a verbatim string) and RESP2
// read the same.
func TestReadDoctorMatchesCapture(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "memory", "local-redis-7.0.15-debian-memdoctor.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.TrimSpace(string(b))
	srv := redistest.StartServer(t)
	for _, proto := range []int{2, 3} {
		o := optsFor(srv.Addr)
		o.Protocol = proto
		d := connectT(t, o).ReadDoctor(testCtx(t))
		if d.Err != "" || strings.TrimSpace(d.Text) != want {
			t.Errorf("RESP%d: doctor = %+v", proto, d)
		}
	}
}
