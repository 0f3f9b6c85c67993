package model

import (
	"slices"
	"strings"
	"testing"
)

func TestCommandTargetCommand(t *testing.T) {
	local := CommandTarget{Host: "127.0.0.1", Port: 46379}
	db3 := CommandTarget{Host: "127.0.0.1", Port: 46379, DB: 3}
	v6 := CommandTarget{Host: "::1", Port: 7000}
	sock := CommandTarget{Socket: "/run/redis/redis.sock", DB: 2}
	tls := CommandTarget{Host: "cache.example", Port: 6380, TLS: true, CACert: "/etc/ca.pem", SNI: "cache.internal", User: "alice"}
	odd := CommandTarget{Host: "my host$(x)", Port: 6379, User: "o'brien"}
	for _, tc := range []struct {
		name string
		t    CommandTarget
		in   string
		want string
	}{
		{"zero target leaves it", CommandTarget{}, "redis-cli INFO memory", "redis-cli INFO memory"},
		{"host and port", local, "redis-cli INFO keyspace", "redis-cli -h 127.0.0.1 -p 46379 INFO keyspace"},
		{"db 0 adds no -n", local, "redis-cli CONFIG GET maxmemory", "redis-cli -h 127.0.0.1 -p 46379 CONFIG GET maxmemory"},
		{"db 3 adds -n", db3, "redis-cli --memkeys -i 0.1", "redis-cli -h 127.0.0.1 -p 46379 -n 3 --memkeys -i 0.1"},
		{"a command's own -n stays", db3, "redis-cli -n 0 TTL 'sess:10079'", "redis-cli -h 127.0.0.1 -p 46379 -n 0 TTL 'sess:10079'"},
		{"IPv6 host", v6, "redis-cli MEMORY DOCTOR", "redis-cli -h ::1 -p 7000 MEMORY DOCTOR"},
		{"unix socket", sock, "redis-cli INFO memory", "redis-cli -s /run/redis/redis.sock -n 2 INFO memory"},
		{"socket has no TLS", CommandTarget{Socket: "/tmp/r.sock", TLS: true}, "redis-cli PING", "redis-cli -s /tmp/r.sock PING"},
		{"tls, cacert, sni, user", tls, "redis-cli INFO memory", "redis-cli -h cache.example -p 6380 --tls --cacert /etc/ca.pem --sni cache.internal --user alice INFO memory"},
		{"odd host and user are quoted", odd, "redis-cli PING", `redis-cli -h 'my host$(x)' -p 6379 --user 'o'\''brien' PING`},
		{"a named node keeps its address", tls, "redis-cli -h 10.0.0.7 -p 7001 MEMORY DOCTOR", "redis-cli --tls --cacert /etc/ca.pem --sni cache.internal --user alice -h 10.0.0.7 -p 7001 MEMORY DOCTOR"},
		{"a named node takes no -n", db3, "redis-cli -h 10.0.0.7 -p 7001 INFO memory", "redis-cli -h 10.0.0.7 -p 7001 INFO memory"},
		{"--cluster with the node's address", db3, "redis-cli --cluster info 10.0.0.7:7001", "redis-cli --cluster info 10.0.0.7:7001"},
		{"--cluster without an address takes the target's", local, "redis-cli --cluster check", "redis-cli --cluster check 127.0.0.1:46379"},
		{"--cluster over TLS", tls, "redis-cli --cluster check", "redis-cli --tls --cacert /etc/ca.pem --sni cache.internal --user alice --cluster check cache.example:6380"},
		{"--cluster IPv6 address goes bare", v6, "redis-cli --cluster check", "redis-cli --cluster check ::1:7000"},
		{"--cluster with a trailing comment", local, "redis-cli --cluster fix 10.0.0.7:7001   # only once", "redis-cli --cluster fix 10.0.0.7:7001   # only once"},
		{"a pipe keeps its tail", db3, "redis-cli --scan --count 1000 --pattern 'user:*' | head", "redis-cli -h 127.0.0.1 -p 46379 -n 3 --scan --count 1000 --pattern 'user:*' | head"},
		{
			"redis-cli inside $()", local,
			"grep VmSwap /proc/$(redis-cli INFO server | awk -F: '/^process_id/{print $2}' | tr -d '\\r')/status",
			"grep VmSwap /proc/$(redis-cli -h 127.0.0.1 -p 46379 INFO server | awk -F: '/^process_id/{print $2}' | tr -d '\\r')/status",
		},
		{"a shell command is left alone", local, "cat /proc/sys/vm/overcommit_memory", "cat /proc/sys/vm/overcommit_memory"},
		{"a word that only contains redis-cli", local, "echo my-redis-cli-notes", "echo my-redis-cli-notes"},
		{"a redis.conf line is left alone", local, "# redis.conf: maxmemory 100mb", "# redis.conf: maxmemory 100mb"},
		{"redis-memtop gets its own flags", db3, "redis-memtop report > redis-incident.md", "redis-memtop report -h 127.0.0.1 -p 46379 -n 3 > redis-incident.md"},
		{"redis-memtop over a socket", sock, "redis-memtop report > r.md", "redis-memtop report 'unix:///run/redis/redis.sock?db=2' > r.md"},
		{"redis-memtop over TLS", tls, "redis-memtop report", "redis-memtop report -h cache.example -p 6380 --tls --cacert /etc/ca.pem --sni cache.internal --user alice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.t.Command(tc.in)
			if got != tc.want {
				t.Errorf("Command(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
			if again := tc.t.Command(got); again != got {
				t.Errorf("not idempotent: %q → %q", got, again)
			}
		})
	}
}

func TestCommandTargetAuthNote(t *testing.T) {
	tg := CommandTarget{Host: "127.0.0.1", Port: 46379, User: "ops", Auth: true}
	got := tg.Commands([]string{"redis-cli INFO memory", "# redis.conf: maxmemory 1gb"})
	want := []string{AuthNote, "redis-cli -h 127.0.0.1 -p 46379 --user ops INFO memory", "# redis.conf: maxmemory 1gb"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	if again := tg.Commands(got); !slices.Equal(again, want) {
		t.Errorf("not idempotent: %q", again)
	}
	if shell := tg.Commands([]string{"cat /sys/kernel/mm/transparent_hugepage/enabled"}); slices.Contains(shell, AuthNote) {
		t.Errorf("a shell command needs no password: %q", shell)
	}
	if strings.Contains(AuthNote, " -a ") || !strings.Contains(AuthNote, "REDISCLI_AUTH") {
		t.Errorf("AuthNote = %q", AuthNote)
	}
}

func TestCommandTargetForNode(t *testing.T) {
	seed := CommandTarget{Host: "10.0.0.1", Port: 7000, DB: 0, TLS: true, User: "alice", Auth: true}
	for _, tc := range []struct{ addr, host string }{{"10.0.0.2:7001", "10.0.0.2"}, {"[::1]:7001", "::1"}} {
		n := seed.ForNode(tc.addr)
		if n.Host != tc.host || n.Port != 7001 || !n.TLS || n.User != "alice" || !n.Auth || n.DB != 0 {
			t.Errorf("ForNode(%q) = %+v", tc.addr, n)
		}
	}
	if n := seed.ForNode("not an address"); n != seed {
		t.Errorf("a bad address changed the target: %+v", n)
	}
	if got := NodeCommand("[::1]:7001", "INFO memory"); got != "redis-cli -h ::1 -p 7001 INFO memory" {
		t.Errorf("NodeCommand = %q", got)
	}
	if got := ClusterCommand("info", "[::1]:7001", ""); got != "redis-cli --cluster info ::1:7001" {
		t.Errorf("ClusterCommand = %q", got)
	}
}

func TestIsWriteCommand(t *testing.T) {
	for cmd, want := range map[string]bool{
		"redis-cli CONFIG SET maxmemory 100mb":                           true,
		"redis-cli -h 10.0.0.1 -p 7000 CONFIG SET activedefrag yes":      true,
		"redis-cli config set activedefrag yes":                          true,
		"# redis.conf: maxmemory 100mb":                                  true,
		"redis-cli MEMORY PURGE":                                         true,
		"redis-cli BGSAVE":                                               true,
		"redis-cli -n 3 DEL 'k'":                                         true,
		"redis-cli CLIENT KILL ID 7":                                     true,
		"redis-cli SCRIPT FLUSH ASYNC":                                   true,
		"redis-cli --cluster fix 10.0.0.1:7000":                          true,
		"redis-cli --cluster add-node NEW_HOST:PORT 10.0.0.1:7000":       true,
		"redis-cli --cluster rebalance 10.0.0.1:7000 --cluster-simulate": false,
		"redis-cli --cluster check 10.0.0.1:7000":                        false,
		"redis-cli CONFIG GET maxmemory":                                 false,
		"redis-cli MEMORY DOCTOR":                                        false,
		"redis-cli -n 0 TTL 'DEL'":                                       false,
		"redis-cli LASTSAVE":                                             false,
		"redis-cli --scan --count 1000 --pattern 'x*' | head":            false,
		"grep VmSwap /proc/1/status":                                     false,
	} {
		if got := IsWriteCommand(cmd); got != want {
			t.Errorf("IsWriteCommand(%q) = %v, want %v", cmd, got, want)
		}
	}
}

func TestCommandTargetQuotedKeyNames(t *testing.T) {
	tg := CommandTarget{Host: "127.0.0.1", Port: 46379, DB: 1}
	for _, in := range []string{
		"redis-cli -n 0 TTL 'a | redis-cli b'",
		"redis-cli -n 0 TTL $'x\\x1b; redis-cli y'",
		`redis-cli -n 0 TTL "q \" | redis-cli z"`,
	} {
		got := tg.Command(in)
		want := strings.Replace(in, "redis-cli", "redis-cli -h 127.0.0.1 -p 46379", 1)
		if got != want {
			t.Errorf("Command(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}

// FuzzCommandTarget: any command text (key names come from the server) is
// aimed without a panic, only ever gains text, and aiming twice changes
// nothing more.
func FuzzCommandTarget(f *testing.F) {
	for _, s := range []string{
		"redis-cli INFO memory", "redis-cli -n 0 TTL 'a | redis-cli b'", "redis-cli --cluster check",
		"grep VmSwap /proc/$(redis-cli INFO server | awk '{print $2}')/status", "redis-cli -n 1 TTL $'\\x1b'",
		`redis-cli "unclosed`, "redis-cli $(", "redis-memtop report > r.md", "redis-cli --cluster",
	} {
		f.Add(s)
	}
	tg := CommandTarget{Host: "::1", Port: 7000, DB: 2, TLS: true, User: "u", SNI: "s n"}
	f.Fuzz(func(t *testing.T, cmd string) {
		got := tg.Command(cmd)
		if len(got) < len(cmd) {
			t.Fatalf("%q lost text: %q", cmd, got)
		}
		if again := tg.Command(got); again != got {
			t.Fatalf("not idempotent: %q → %q → %q", cmd, got, again)
		}
	})
}

// TestFleetCommandsNameTheServer: the fleet's
// checks name the server they are about, with the connection's flags.
func TestFleetCommandsNameTheServer(t *testing.T) {
	tg := CommandTarget{Host: "10.0.2.a", Port: 6379, TLS: true, User: "ops", Auth: true}
	v := fleetView([3]float64{90, 100, 1.1}, [3]float64{100, 0, 2.5})
	v.Nodes = append(v.Nodes, fleetView([3]float64{1, 0, 1}).Nodes[0])
	v.Nodes[2].Addr, v.Nodes[2].Sample, v.Nodes[2].Err = "[::1]:7001", nil, "connection refused"
	cl := EvaluateFleetFor(&v, tg)
	for id, want := range map[string]string{
		CheckFleetHeadroom:      "redis-cli --tls --user ops -h 10.0.2.a -p 6379 INFO memory",
		CheckFleetFragmentation: "redis-cli --tls --user ops -h 10.0.2.b -p 6379 MEMORY DOCTOR",
		CheckFleetUnreachable:   "redis-cli --tls --user ops -h ::1 -p 7001 PING",
	} {
		ch := fleetCheck(t, cl, id)
		if !slices.Contains(ch.Commands, want) || ch.Commands[0] != AuthNote {
			t.Errorf("%s: want %q in %q", id, want, ch.Commands)
		}
	}
	for _, ch := range cl {
		for _, c := range ch.Commands {
			if strings.Contains(c, "HOST") || strings.Contains(c, "PORT") {
				t.Errorf("%s: placeholder in %q", ch.ID, c)
			}
		}
	}
}
