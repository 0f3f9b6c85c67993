package redisx

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
)

// hostTree builds a fake filesystem root: files maps a path under the root
// to its content, links maps a path to a symlink target.
func hostTree(t *testing.T, files, links map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, content := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for p, target := range links {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, full); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

const hostStatus = "Name:\tredis-server\nState:\tS (sleeping)\nPid:\t4242\nVmRSS:\t  120000 kB\nVmSwap:\t    2048 kB\nThreads:\t5\n"

// hostBase is a host with redis-server (Debian layout: the binary is a link)
// as process 4242, in a cgroup v2 slice limited to 2 GiB under a 4 GiB parent.
func hostBase() (files, links map[string]string) {
	files = map[string]string{
		"proc/4242/status":                           hostStatus,
		"proc/4242/cgroup":                           "0::/system.slice/redis-server.service\n",
		"proc/sys/vm/overcommit_memory":              "1\n",
		"proc/meminfo":                               "MemTotal:       16303540 kB\nMemFree:         1000000 kB\n",
		"sys/kernel/mm/transparent_hugepage/enabled": "always [madvise] never\n",
		"sys/fs/cgroup/system.slice/redis-server.service/memory.max": "2147483648\n",
		"sys/fs/cgroup/system.slice/memory.max":                      "4294967296\n",
		"sys/fs/cgroup/memory.max":                                   "max\n",
		"usr/bin/redis-check-rdb":                                    "ELF",
	}
	links = map[string]string{
		"proc/4242/exe":        "/usr/bin/redis-check-rdb",
		"usr/bin/redis-server": "redis-check-rdb",
	}
	return files, links
}

func TestReadHostFactsTrees(t *testing.T) {
	type want struct {
		local      bool
		reason     string
		swap       model.Opt
		overcommit model.Opt
		thp        string
		cgroup     model.Opt
		ram        model.Opt
		note       string
	}
	ram := model.Some(16303540 * 1024)
	cases := []struct {
		name   string
		change func(files, links map[string]string)
		pid    int
		exe    string
		want   want
	}{
		{
			name: "cgroup v2, executable through a symlink",
			pid:  4242, exe: "/usr/bin/redis-server",
			want: want{local: true, swap: model.Some(2048 * 1024), overcommit: model.Some(1), thp: "madvise", cgroup: model.Some(2 << 30), ram: ram},
		},
		{
			name: "cgroup v2 without a limit",
			change: func(f, _ map[string]string) {
				f["sys/fs/cgroup/system.slice/redis-server.service/memory.max"] = "max\n"
				f["sys/fs/cgroup/system.slice/memory.max"] = "max\n"
			},
			pid: 4242, exe: "/usr/bin/redis-server",
			want: want{local: true, swap: model.Some(2048 * 1024), overcommit: model.Some(1), thp: "madvise", ram: ram, note: "none (memory.max is unlimited)"},
		},
		{
			name: "cgroup v1 in a container that sees its own cgroup as the root",
			change: func(f, _ map[string]string) {
				f["proc/4242/cgroup"] = "12:pids:/docker/abc\n4:memory:/docker/abc\n0::/\n"
				f["sys/fs/cgroup/memory/memory.limit_in_bytes"] = "536870912\n"
				delete(f, "sys/fs/cgroup/memory.max")
				f["sys/kernel/mm/transparent_hugepage/enabled"] = "[always] madvise never\n"
				f["proc/sys/vm/overcommit_memory"] = "0\n"
			},
			pid: 4242, exe: "/usr/bin/redis-check-rdb",
			want: want{local: true, swap: model.Some(2048 * 1024), overcommit: model.Some(0), thp: "always", cgroup: model.Some(512 << 20), ram: ram},
		},
		{
			name: "cgroup v1 unlimited",
			change: func(f, _ map[string]string) {
				f["proc/4242/cgroup"] = "4:memory:/user.slice\n"
				f["sys/fs/cgroup/memory/user.slice/memory.limit_in_bytes"] = "9223372036854771712\n"
				f["sys/fs/cgroup/memory/memory.limit_in_bytes"] = "9223372036854771712\n"
			},
			pid: 4242, exe: "/usr/bin/redis-server",
			want: want{local: true, swap: model.Some(2048 * 1024), overcommit: model.Some(1), thp: "madvise", ram: ram, note: "none (memory.limit_in_bytes is unlimited)"},
		},
		{
			name: "no VmSwap line, no THP file",
			change: func(f, _ map[string]string) {
				f["proc/4242/status"] = "Name:\tredis-server\nPid:\t4242\n"
				delete(f, "sys/kernel/mm/transparent_hugepage/enabled")
			},
			pid: 4242, exe: "/usr/bin/redis-server",
			want: want{local: true, overcommit: model.Some(1), cgroup: model.Some(2 << 30), ram: ram, note: "VmSwap: not reported"},
		},
		{
			name: "no such process",
			pid:  999, exe: "/usr/bin/redis-server",
			want: want{reason: "does not run on this host (no process 999 here)"},
		},
		{
			name:   "another program with that pid",
			change: func(_, l map[string]string) { l["proc/4242/exe"] = "/usr/lib/systemd/systemd" },
			pid:    4242, exe: "/usr/bin/redis-server",
			want: want{reason: "process 4242 here is /usr/lib/systemd/systemd"},
		},
		{
			name: "managed service: no executable",
			pid:  1, exe: "-",
			want: want{reason: "did not report its executable"},
		},
		{
			name: "no process_id",
			pid:  0, exe: "/usr/bin/redis-server",
			want: want{reason: "did not report its process_id"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files, links := hostBase()
			if tc.change != nil {
				tc.change(files, links)
			}
			root := hostTree(t, files, links)
			hf := HostReader{Root: root}.Read(tc.pid, tc.exe)
			w := tc.want
			if hf.Local != w.local {
				t.Fatalf("Local = %v (reason %q), want %v", hf.Local, hf.Reason, w.local)
			}
			if !w.local {
				if !strings.Contains(hf.Reason, w.reason) {
					t.Fatalf("reason %q does not say %q", hf.Reason, w.reason)
				}
				if hf.VMSwap.Valid || hf.HostRAM.Valid || hf.THP != "" {
					t.Fatalf("a remote server must have no host facts: %+v", hf)
				}
				return
			}
			if hf.Reason != "" {
				t.Errorf("local with a reason: %q", hf.Reason)
			}
			for name, pair := range map[string][2]model.Opt{
				"VmSwap": {hf.VMSwap, w.swap}, "overcommit": {hf.Overcommit, w.overcommit},
				"cgroup": {hf.CgroupLimit, w.cgroup}, "RAM": {hf.HostRAM, w.ram},
			} {
				if pair[0] != pair[1] {
					t.Errorf("%s = %+v, want %+v", name, pair[0], pair[1])
				}
			}
			if hf.THP != w.thp {
				t.Errorf("THP = %q, want %q", hf.THP, w.thp)
			}
			if w.note != "" && !strings.Contains(strings.Join(hf.Notes, "|"), w.note) {
				t.Errorf("notes %q do not say %q", hf.Notes, w.note)
			}
		})
	}
}

// TestReadHostFactsForStartTime tells the server's process from a twin with
// the same pid and binary (an identical machine) by its start time.
func TestReadHostFactsForStartTime(t *testing.T) {
	files, links := hostBase()
	const boot = 1_700_000_000
	files["proc/stat"] = "cpu  1 2 3\nintr " + strings.Repeat("0 ", 70_000) + "\nbtime 1700000000\nprocesses 9\n"
	// Started 500 s after boot (starttime in 1/100 s), command name with a
	// space and a parenthesis to trip a naive split.
	files["proc/4242/stat"] = "4242 (redis-server *:6379) S 1 4242 4242 0 -1 4194560 500 0 0 0 10 5 0 0 20 0 5 0 50000 100000 3000\n"
	root := hostTree(t, files, links)
	r := HostReader{Root: root}
	sample := func(startedAt int64, at int64) *model.Sample {
		return &model.Sample{
			Time: time.Unix(at, 0),
			Server: model.Server{
				ProcessID: model.Some(4242), Executable: "/usr/bin/redis-server",
				Uptime: model.Some(float64(at - startedAt)),
			},
		}
	}
	if hf := r.ReadFor(sample(boot+500, boot+3600)); !hf.Local {
		t.Fatalf("same start time: not local: %s", hf.Reason)
	}
	if hf := r.ReadFor(sample(boot+502, boot+3600)); !hf.Local {
		t.Fatalf("within the tolerance: not local: %s", hf.Reason)
	}
	hf := r.ReadFor(sample(boot+1500, boot+3600))
	if hf.Local || !strings.Contains(hf.Reason, "started at") {
		t.Fatalf("a twin started 1000 s apart must not match: %+v", hf)
	}
	// Without an uptime the pid and executable decide.
	s := sample(boot+1500, boot+3600)
	s.Server.Uptime = model.None()
	if hf := r.ReadFor(s); !hf.Local {
		t.Fatalf("no uptime: %s", hf.Reason)
	}
}

func TestDescribeFSErr(t *testing.T) {
	for err, want := range map[error]string{
		&fs.PathError{Op: "open", Path: "/proc/1/status", Err: syscall.EACCES}: "permission denied",
		&fs.PathError{Op: "open", Path: "/proc/1/status", Err: syscall.ENOENT}: "not available",
		errNoField:                      "not reported",
		&fs.PathError{Err: syscall.EIO}: "unreadable",
	} {
		if got := describeFSErr(err); got != want {
			t.Errorf("describeFSErr(%v) = %q, want %q", err, got, want)
		}
	}
}

// infoField reads one field from INFO text (kept minimal so this test does
// not depend on the INFO parser).
func infoField(text, name string) string {
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimRight(line, "\r"), name+":"); ok {
			return v
		}
	}
	return ""
}

// TestReadHostFactsRealServer runs against a redis-server this test starts
// on this machine: it must be recognised as local.
func TestReadHostFactsRealServer(t *testing.T) {
	srv := redistest.StartServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: 2, DisableIdentity: true})
	defer func() { _ = c.Close() }()
	text, err := c.Info(ctx, "server").Result()
	if err != nil {
		t.Fatalf("INFO: %v", err)
	}
	pid, err := strconv.Atoi(infoField(text, "process_id"))
	if err != nil {
		t.Fatalf("process_id: %v", err)
	}
	exe := infoField(text, "executable")
	hf := ReadHostFacts(pid, exe)
	if !hf.Local {
		t.Fatalf("the test's own redis-server is not local: %s (executable %q)", hf.Reason, exe)
	}
	up, err := strconv.ParseFloat(infoField(text, "uptime_in_seconds"), 64)
	if err != nil {
		t.Fatal(err)
	}
	s := &model.Sample{Time: time.Now(), Server: model.Server{ProcessID: model.Some(float64(pid)), Executable: model.Text(exe), Uptime: model.Some(up)}}
	if hf := ReadHostFactsFor(s); !hf.Local {
		t.Fatalf("ReadHostFactsFor: %s", hf.Reason)
	}
	s.Server.Uptime = model.Some(up + 3600)
	if hf := ReadHostFactsFor(s); hf.Local {
		t.Fatal("a server up an hour longer is not this process")
	}
	if v, ok := hf.HostRAM.Get(); !ok || v <= 0 {
		t.Errorf("host RAM: %+v", hf.HostRAM)
	}
	if !hf.VMSwap.Valid {
		t.Errorf("VmSwap of our own child should be readable: notes %q", hf.Notes)
	}
	if _, err := os.Stat("/proc/sys/vm/overcommit_memory"); err == nil && !hf.Overcommit.Valid {
		t.Errorf("overcommit not read: %q", hf.Notes)
	}
	// The same pid with another binary, or a pid that is not the server:
	// not local.
	if hf := ReadHostFacts(pid, "/usr/bin/not-redis"); hf.Local {
		t.Error("a different executable must not match")
	}
	if hf := ReadHostFacts(os.Getpid(), exe); hf.Local {
		t.Error("the test process is not the server")
	}
	t.Logf("host facts: swap %v, overcommit %v, THP %q, cgroup %v, RAM %v, notes %q",
		hf.VMSwap, hf.Overcommit, hf.THP, hf.CgroupLimit, hf.HostRAM, hf.Notes)
}

// TestHostMatchesAServerStartedByName: `redis-server` typed in a shell
// reports cwd + argv[0] as its executable, a path that does not exist; the
// process still matches by argv[0] (and start time).
func TestHostMatchesAServerStartedByName(t *testing.T) {
	srv := redistest.StartServer(t)
	bogus := "/nonexistent-dir/redis-server" // what INFO says for a server started from there by name
	hf := ReadHostFacts(srv.PID(), bogus)
	if !hf.Local {
		t.Fatalf("a server started by name is not matched: %s", hf.Reason)
	}
	if hf := ReadHostFacts(srv.PID(), "/nonexistent-dir/valkey-server"); hf.Local {
		t.Error("another program name must not match")
	}
}
