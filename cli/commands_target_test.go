package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/app"
	"github.com/redis-memtop/redis-memtop/internal/redisproc"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// The server of these tests is reached only as an ACL user with a password,
// in db 3, on a port that is not 6379: a command that forgets any of them
// goes to the wrong place or is refused.
const (
	targetUser = "ops"
	targetPass = "s3cr3t-Pa55-never-shown"
	targetDB   = 3
)

// startTargetServer starts that server (the default user off, so nothing
// works without the user and password) and fills db 3: keys without a TTL
// and a few with one.
func startTargetServer(t *testing.T) *redisproc.Server {
	t.Helper()
	srv := redistest.StartServer(t, "user default off", "user "+targetUser+" on >"+targetPass+" ~* &* +@all")
	if srv.Port == redisx.DefaultPort {
		t.Fatal("the test server must not be on the default port")
	}
	c := redis.NewClient(&redis.Options{Addr: srv.Addr, Username: targetUser, Password: targetPass, DB: targetDB, Protocol: 2, DisableIdentity: true})
	defer func() { _ = c.Close() }()
	ctx := t.Context()
	if _, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i := range 2000 {
			p.Set(ctx, "sess:"+strconv.Itoa(i), strings.Repeat("v", 200), 0)
		}
		for i := range 20 {
			p.Set(ctx, "tmp:"+strconv.Itoa(i), "x", time.Hour)
		}
		p.RPush(ctx, "queue:big", toArgs(slices.Repeat([]string{"item"}, 3000))...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return srv
}

// checkCommandLines checks every redis-cli command of a checklist names
// the server (port, db, user), and says so through REDISCLI_AUTH; it
// returns the commands that only read, to be run.
func checkCommandLines(t *testing.T, where string, cl model.Checklist, port, atLeast int) (reads []string) {
	t.Helper()
	n := 0
	for _, ch := range cl {
		hasCLI := false
		for _, cmd := range ch.Commands {
			if !strings.HasPrefix(cmd, "redis-cli") {
				continue
			}
			n, hasCLI = n+1, true
			for _, want := range []string{"-p " + strconv.Itoa(port), "-n " + strconv.Itoa(targetDB), "--user " + targetUser} {
				if !strings.Contains(cmd, want) {
					t.Errorf("%s: %s: %q does not say %q", where, ch.ID, cmd, want)
				}
			}
			if !model.IsWriteCommand(cmd) {
				reads = append(reads, cmd)
			}
		}
		if hasCLI && (len(ch.Commands) == 0 || ch.Commands[0] != model.AuthNote) {
			t.Errorf("%s: %s: no REDISCLI_AUTH note: %q", where, ch.ID, ch.Commands)
		}
	}
	if n < atLeast {
		t.Errorf("%s: only %d redis-cli commands", where, n)
	}
	return reads
}

// runPasted runs commands as a user would paste them into a shell, with
// the password in REDISCLI_AUTH, and checks each reaches the server.
func runPasted(t *testing.T, cmds []string) {
	t.Helper()
	if _, err := exec.LookPath("redis-cli"); err != nil {
		t.Log("redis-cli not found: the commands are not run")
		return
	}
	for _, cmd := range cmds {
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		c := exec.CommandContext(ctx, "sh", "-c", cmd)
		c.Env = append(os.Environ(), "REDISCLI_AUTH="+targetPass)
		c.Dir = t.TempDir() // a command may write its output to a file (> redis-info.txt)
		out, err := c.CombinedOutput()
		cancel()
		first, _, _ := strings.Cut(string(out), "\n")
		refused := false
		for _, w := range []string{"ERR", "NOAUTH", "WRONGPASS", "NOPERM", "AUTH failed", "Could not connect"} {
			refused = refused || strings.HasPrefix(first, w)
		}
		if err != nil || refused {
			t.Errorf("%q: %v\n%s", cmd, err, out)
		}
	}
}

// TestReportCommandsNameTheServer: `report` on a server on another port, db
// 3, an ACL user and REDISCLI_AUTH: every redis-cli command of the checklist,
// Markdown and JSON, names that port, db and user, none holds the password,
// and pasted into a shell each read command reaches that server.
func TestReportCommandsNameTheServer(t *testing.T) {
	srv := startTargetServer(t)
	t.Setenv("REDISCLI_AUTH", targetPass)
	args := []string{"report", "--interval", "200ms", "-h", "127.0.0.1", "-p", strconv.Itoa(srv.Port), "-n", strconv.Itoa(targetDB), "--user", targetUser}

	code, out, errOut := runCLI(t, append(args, "--format", "json")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep model.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("JSON: %v", err)
	}
	reads := checkCommandLines(t, "json", rep.Checklist, srv.Port, 10)
	// The state without a limit justifies CONFIG SET maxmemory: it names the server too.
	mm, _ := rep.Checklist.Find(model.CheckMaxmemorySet)
	if !slices.ContainsFunc(mm.Commands, func(c string) bool { return strings.Contains(c, "CONFIG SET maxmemory") }) {
		t.Errorf("maxmemory-set %s offers no CONFIG SET: %q", mm.Status, mm.Commands)
	}
	for _, s := range []string{out, errOut} {
		if strings.Contains(s, targetPass) {
			t.Fatal("the password is in the report")
		}
	}

	code, md, errOut := runCLI(t, append(args, "--format", "markdown")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(md, targetPass) || strings.Contains(errOut, targetPass) {
		t.Fatal("the password is in the Markdown report")
	}
	checklist, _, _ := strings.Cut(md, "\n## Memory")
	var mdCmds []string
	fence := false
	for line := range strings.Lines(checklist) {
		line = strings.TrimRight(line, "\n")
		if strings.HasPrefix(line, "```") {
			fence = !fence
			continue
		}
		if fence {
			mdCmds = append(mdCmds, line)
		}
	}
	checkCommandLines(t, "markdown", model.Checklist{{ID: "every fenced line", Commands: append([]string{model.AuthNote}, mdCmds...)}}, srv.Port, 3)
	if !slices.Contains(mdCmds, model.AuthNote) {
		t.Errorf("the Markdown never says REDISCLI_AUTH:\n%s", checklist)
	}

	runPasted(t, reads)
	t.Logf("%d read commands pasted and run; e.g. %q", len(reads), reads[0])
}

// TestLiveCommandsNameTheServer: on the monitor's screen, a check's details
// show its commands with the server's port, db and user.
func TestLiveCommandsNameTheServer(t *testing.T) {
	srv := startTargetServer(t)
	c := connectMain(t, redisx.Options{Addr: srv.Addr, DB: targetDB, Username: targetUser, Password: targetPass})
	r := startLive(t, c, rigOptions{w: 200, h: 60})
	r.until("the checklist with the extras", func(m ui.Model) bool {
		return m.Live().Extras != nil && m.Live().Checklist != nil && r.folded >= 2
	})
	for r.m.Focused() != ui.PaneChecklist {
		r.press("tab")
	}
	want := fmt.Sprintf("redis-cli -h 127.0.0.1 -p %d -n %d --user %s", srv.Port, targetDB, targetUser)
	// Open each of the first checks in turn: each command line shown names
	// the server.
	shown := 0
	for i := range 4 {
		r.press("enter")
		frame := r.frame()
		if strings.Contains(frame, targetPass) {
			t.Fatal("the password is on the screen")
		}
		cli := false
		for line := range strings.Lines(frame) {
			if _, cmd, ok := strings.Cut(line, "redis-cli"); ok && !strings.Contains(line, "#") {
				shown++
				cli = true
				if !strings.Contains(line, want) {
					t.Errorf("check %d: %q does not start with %q (%q)", i, strings.TrimSpace(line), want, cmd)
				}
			}
		}
		if cli && !strings.Contains(frame, "REDISCLI_AUTH") {
			t.Errorf("check %d: no REDISCLI_AUTH note:\n%s", i, frame)
		}
		r.press("esc")
		r.press("down")
	}
	if shown == 0 {
		t.Errorf("no command on screen:\n%s", r.frame())
	}
	t.Logf("%d command lines on screen name %q", shown, want)
}

// TestClusterReportCommandsNameTheNode: in `report -c`, each node's own
// checklist names that node, and the cluster checks that point at a node
// name it (no HOST:PORT placeholder).
func TestClusterReportCommandsNameTheNode(t *testing.T) {
	servers := reportCluster.Get(t).Nodes
	code, out, errOut := runCLI(t, "report", "-c", "--format", "json", "--interval", "200ms", "redis://"+servers[0].Addr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r clusterJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("JSON: %v", err)
	}
	if len(r.Cluster.NodeReports) != 6 {
		t.Fatalf("%d node reports", len(r.Cluster.NodeReports))
	}
	for _, nr := range r.Cluster.NodeReports {
		host, port, _ := strings.Cut(nr.Target.Addr, ":")
		want := "redis-cli -h " + host + " -p " + port + " "
		n := 0
		for _, ch := range nr.Checklist {
			for _, cmd := range ch.Commands {
				if strings.HasPrefix(cmd, "redis-cli") {
					n++
					if !strings.HasPrefix(cmd, want) {
						t.Errorf("node %s: %s: %q does not name the node", nr.Target.Addr, ch.ID, cmd)
					}
				}
			}
		}
		if n == 0 {
			t.Errorf("node %s: no command", nr.Target.Addr)
		}
	}
	addrs := map[string]bool{}
	for _, s := range servers {
		addrs[s.Addr] = true
	}
	var reads []string
	for _, ch := range r.Cluster.Checks {
		for _, cmd := range ch.Commands {
			if strings.Contains(cmd, "HOST") || strings.Contains(cmd, "PORT") && !strings.Contains(cmd, "NEW_HOST:PORT") {
				t.Errorf("%s: placeholder left: %q", ch.ID, cmd)
			}
			if !strings.HasPrefix(cmd, "redis-cli") {
				continue
			}
			named := false
			for a := range addrs {
				host, port, _ := strings.Cut(a, ":")
				named = named || strings.Contains(cmd, " "+a) || strings.Contains(cmd, "-h "+host+" -p "+port)
			}
			if !named {
				t.Errorf("%s: %q names no node of the cluster", ch.ID, cmd)
			}
			if !model.IsWriteCommand(cmd) {
				reads = append(reads, cmd)
			}
		}
	}
	bal, _ := r.Cluster.Checks.Find(model.CheckClusterMemoryBalance)
	if bal.Status == model.StatusOK || bal.Status == model.StatusUnknown {
		t.Logf("memory balance is %s: no node-naming command to check (%s)", bal.Status, bal.Title)
	}
	t.Logf("cluster checks: %d read commands, e.g. %q", len(reads), reads)
	if _, err := exec.LookPath("redis-cli"); err == nil {
		for _, cmd := range reads {
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			sh := exec.CommandContext(ctx, "sh", "-c", cmd)
			sh.Dir = t.TempDir()
			b, err := sh.CombinedOutput()
			cancel()
			if err != nil || strings.Contains(string(b), "Could not connect") {
				t.Errorf("%q: %v\n%s", cmd, err, b)
			}
		}
	}
}

// TestLiveBigKeyCommandsNameTheServer: the big-key detail's "look closer"
// commands name the server and user too.
func TestLiveBigKeyCommandsNameTheServer(t *testing.T) {
	srv := startTargetServer(t)
	c := connectMain(t, redisx.Options{Addr: srv.Addr, DB: targetDB, Username: targetUser, Password: targetPass})
	r := startLive(t, c, rigOptions{scan: &app.ScanConfig{}, w: 200, h: 60})
	r.until("a complete scan", scanDone)
	for r.m.Focused() != ui.PaneBigKeys {
		r.press("tab")
	}
	r.press("enter")
	frame := r.frame()
	want := fmt.Sprintf("redis-cli -h 127.0.0.1 -p %d --user %s -n %d MEMORY USAGE", srv.Port, targetUser, targetDB)
	if !strings.Contains(frame, want) || strings.Contains(frame, targetPass) {
		t.Errorf("want %q in the key's detail:\n%s", want, frame)
	}
}
