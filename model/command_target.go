package model

import (
	"net"
	"strconv"
	"strings"
)

// CommandTarget is the server every suggested command must reach: the rules
// write "redis-cli INFO memory" and Apply gives each command the connection
// flags, so that a command pasted from the checklist or a report goes to the
// server that was diagnosed, not to whatever listens on 6379.
//
// It has no password field on purpose: a command never carries one. When
// the connection needed a password (Auth), the commands say where redis-cli
// takes it from — REDISCLI_AUTH — in one comment line above them
// (AuthNote).
//
// The zero value names no server and leaves commands as the rules wrote
// them (replays, hand-built data).
type CommandTarget struct {
	Host   string `json:"host,omitempty"`
	Port   int    `json:"port,omitempty"`
	Socket string `json:"socket,omitempty"` // unix socket path; Host and Port are then unused
	DB     int    `json:"db,omitempty"`
	TLS    bool   `json:"tls,omitempty"`
	CACert string `json:"cacert,omitempty"`
	SNI    string `json:"sni,omitempty"`
	// Cert and Key are the client certificate's files for mutual TLS
	// (paths, not secrets); Insecure skips verification, as it did here.
	Cert     string `json:"cert,omitempty"`
	Key      string `json:"key,omitempty"`
	Insecure bool   `json:"insecure,omitempty"`
	User     string `json:"user,omitempty"`
	// Auth says the connection used a password (never which).
	Auth bool `json:"auth,omitempty"`
}

// AuthNote heads the commands of a check when the server needs a password:
// the one convention for "this needs the password" (documented in README's
// checklist section).
const AuthNote = "# password: export REDISCLI_AUTH first (these commands read it from there; never pass -a)"

// IsZero is true when no server is named.
func (t CommandTarget) IsZero() bool { return t.Host == "" && t.Socket == "" }

// CommandTargetAt is a target at host:port (as CLUSTER NODES and our views
// write it, "[::1]:7000" for IPv6), with no other flag.
func CommandTargetAt(addr string) CommandTarget {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return CommandTarget{Host: addr}
	}
	p, _ := strconv.Atoi(port)
	return CommandTarget{Host: host, Port: p}
}

// ForNode is the same connection (TLS, user, password) at another node's
// address, db 0: a cluster node, or a member of a fleet. An addr that is
// not host:port leaves the target as it is.
func (t CommandTarget) ForNode(addr string) CommandTarget {
	at := CommandTargetAt(addr)
	if at.Port == 0 {
		return t
	}
	t.Host, t.Port, t.Socket, t.DB = at.Host, at.Port, "", 0
	return t
}

// addr is host:port the way redis-cli --cluster reads it: it splits at
// the last colon, so an IPv6 host goes without brackets.
func (t CommandTarget) addr() string {
	return t.Host + ":" + strconv.Itoa(t.Port)
}

// NodeCommand is "redis-cli -h HOST -p PORT ARGS" for a named node (a
// cluster check that points at one node): Apply keeps that address and adds
// the connection's other flags.
func NodeCommand(addr, args string) string {
	t := CommandTargetAt(addr)
	if t.Port == 0 {
		return "redis-cli " + args
	}
	return "redis-cli -h " + shellWord(t.Host) + " -p " + strconv.Itoa(t.Port) + " " + args
}

// ClusterCommand is "redis-cli --cluster SUB ADDR ARGS" with the node's
// address as redis-cli --cluster wants it. An empty addr leaves the address
// out: Apply then puts the target's there.
func ClusterCommand(sub, addr, args string) string {
	cmd := "redis-cli --cluster " + sub
	if addr != "" {
		cmd += " " + clusterAddr(addr)
	}
	if args != "" {
		cmd += " " + args
	}
	return cmd
}

// Apply returns the checklist with every command aimed at t (see Command),
// and AuthNote above the commands of a check that has any for a server
// needing a password. The input is not changed. Applying twice changes
// nothing more.
func (t CommandTarget) Apply(cl Checklist) Checklist {
	if t.IsZero() || cl == nil {
		return cl
	}
	out := make(Checklist, len(cl))
	for i, ch := range cl {
		ch.Commands = t.Commands(ch.Commands)
		out[i] = ch
	}
	return out
}

// Commands aims every command of one check at t.
func (t CommandTarget) Commands(cmds []string) []string {
	if t.IsZero() || len(cmds) == 0 {
		return cmds
	}
	out := make([]string, 0, len(cmds)+1)
	needsAuth := false
	for _, c := range cmds {
		if c == AuthNote {
			continue
		}
		needsAuth = needsAuth || mentionsCLI(c)
		out = append(out, t.Command(c))
	}
	if t.Auth && needsAuth {
		out = append([]string{AuthNote}, out...)
	}
	return out
}

func mentionsCLI(c string) bool {
	return strings.Contains(c, "redis-cli") || strings.HasPrefix(c, "redis-memtop ")
}

// Command aims one command at t: each redis-cli in it (at the start, or
// after "$(", "|", ";" or "&&") gets the target's flags right after its
// name, except those the command already holds (-h/-p/-s/-u keep their
// server, -n its db). A `redis-cli --cluster SUB` takes its address as an
// argument: only TLS and user flags are added, and the target's address
// when the command has none. A redis-memtop command gets the same flags
// (its connection flags follow redis-cli's). Anything else — shell lines,
// redis.conf lines — is left alone.
func (t CommandTarget) Command(cmd string) string {
	if t.IsZero() || strings.HasPrefix(cmd, "#") {
		return cmd
	}
	if rest, ok := strings.CutPrefix(cmd, "redis-memtop "); ok {
		return t.memtopCommand(rest)
	}
	var b strings.Builder
	for {
		i := cliAt(cmd)
		if i < 0 {
			b.WriteString(cmd)
			return b.String()
		}
		end := i + len("redis-cli")
		b.WriteString(cmd[:end])
		cmd = cmd[end:]
		words, ends := shellWords(cmd)
		flags, addrAt := t.cliFlags(words)
		b.WriteString(flags)
		if addrAt >= 0 {
			// --cluster SUB without an address: put the target's after SUB.
			b.WriteString(cmd[:ends[addrAt]])
			b.WriteString(" " + shellWord(t.addr()))
			cmd = cmd[ends[addrAt]:]
		}
	}
}

// shellWords splits s into the words of one simple command, up to the
// first shell operator outside quotes (| ; & ) > `), honouring '…', $'…'
// and "…" quoting; ends[i] is the offset just after word i.
func shellWords(s string) (words []string, ends []int) {
	i := 0
	for {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) || strings.IndexByte("|;&)>`<", s[i]) >= 0 {
			return words, ends
		}
		start := i
		for i < len(s) && s[i] != ' ' && strings.IndexByte("|;&)>`<", s[i]) < 0 {
			switch {
			case s[i] == '\'':
				j := strings.IndexByte(s[i+1:], '\'')
				if j < 0 {
					i = len(s)
				} else {
					i += j + 2
				}
			case s[i] == '$' && i+1 < len(s) && s[i+1] == '\'':
				i += 2
				for i < len(s) && s[i] != '\'' {
					if s[i] == '\\' {
						i++
					}
					i++
				}
				i++
			case s[i] == '"':
				i++
				for i < len(s) && s[i] != '"' {
					if s[i] == '\\' {
						i++
					}
					i++
				}
				i++
			case s[i] == '$' && i+1 < len(s) && s[i+1] == '(':
				// a substitution inside a word: to its closing parenthesis
				depth := 0
				for i < len(s) {
					if s[i] == '(' {
						depth++
					} else if s[i] == ')' {
						depth--
						if depth == 0 {
							break
						}
					}
					i++
				}
				i++
			default:
				i++
			}
		}
		i = min(i, len(s))
		words = append(words, s[start:i])
		ends = append(ends, i)
	}
}

// cliAt finds the next redis-cli that starts a command: outside quotes,
// at the start or after "$(", "|", ";", "&&" or "`", and a word of its own
// (a key name that reads "redis-cli" is quoted, and stays as it is).
func cliAt(s string) int {
	const name = "redis-cli"
	cmdStart := true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ':
			continue
		case c == '\'' || c == '"' || (c == '$' && i+1 < len(s) && s[i+1] == '\''):
			i = quoteEnd(s, i)
			cmdStart = false
			continue
		case strings.HasPrefix(s[i:], "$("):
			i++
			cmdStart = true
			continue
		case strings.IndexByte("|;&`", c) >= 0:
			cmdStart = true
			continue
		case cmdStart && strings.HasPrefix(s[i:], name) && (i+len(name) == len(s) || s[i+len(name)] == ' '):
			return i
		}
		// any other word (or a lone parenthesis): skip it
		j := i
		for j < len(s) && s[j] != ' ' && strings.IndexByte("|;&`'\"()", s[j]) < 0 && !strings.HasPrefix(s[j:], "$(") {
			j++
		}
		i = max(j-1, i)
		cmdStart = false
	}
	return -1
}

// quoteEnd is the offset of the closing quote of the quoted string that
// starts at i ('…', $'…' or "…"), or the last offset when it is not closed.
func quoteEnd(s string, i int) int {
	switch s[i] {
	case '\'':
		if j := strings.IndexByte(s[i+1:], '\''); j >= 0 {
			return i + 1 + j
		}
	default: // $'…' and "…" honour backslashes
		q := byte('"')
		if s[i] == '$' {
			q, i = '\'', i+1
		}
		for i++; i < len(s); i++ {
			if s[i] == '\\' {
				i++
				continue
			}
			if s[i] == q {
				return i
			}
		}
	}
	return len(s) - 1
}

// cliOptionsWithValue are the redis-cli options that take the next word.
var cliOptionsWithValue = map[string]bool{
	"-h": true, "-p": true, "-s": true, "-n": true, "-a": true, "-u": true, "-i": true, "-r": true,
	"--user": true, "--pass": true, "--cacert": true, "--cacertdir": true, "--sni": true, "--cert": true, "--key": true,
	"--pattern": true, "--count": true, "--memkeys-samples": true,
}

// cliFlags reads the options of one redis-cli (its words after the name)
// and returns the flags to add, with a leading space, and — for a --cluster
// subcommand without an address — the index of the subcommand's word after
// which the target's address goes (-1 otherwise).
func (t CommandTarget) cliFlags(words []string) (string, int) {
	has := map[string]bool{}
	cluster, addrAt := false, -1
	for i := 0; i < len(words); i++ {
		w := words[i]
		if !strings.HasPrefix(w, "-") {
			break
		}
		has[w] = true
		if w == cliCluster {
			cluster = true
			// --cluster SUB [ADDR]: an address is host:port, or a word
			// that is not an option.
			if i+1 < len(words) && (i+2 >= len(words) || strings.HasPrefix(words[i+2], "-")) {
				addrAt = i + 1
			}
			break
		}
		if cliOptionsWithValue[w] {
			i++
		}
	}
	var f []string
	named := has["-h"] || has["-p"] || has["-s"] || has["-u"]
	if !cluster && !named {
		if t.Socket != "" {
			f = append(f, "-s", shellWord(t.Socket))
		} else {
			f = append(f, "-h", shellWord(t.Host), "-p", strconv.Itoa(t.Port))
		}
	}
	// A named node (a cluster's) is in db 0; so is a --cluster command.
	if !cluster && !named && !has["-n"] && t.DB != 0 {
		f = append(f, "-n", strconv.Itoa(t.DB))
	}
	if t.Socket == "" && !has["--tls"] && !has["-u"] {
		f = append(f, t.tlsFlags()...)
	}
	if t.User != "" && !has["--user"] && !has["-u"] {
		f = append(f, "--user", shellWord(t.User))
	}
	if !cluster {
		addrAt = -1
	}
	if len(f) == 0 {
		return "", addrAt
	}
	return " " + strings.Join(f, " "), addrAt
}

// tlsFlags are the TLS flags, the same for redis-cli and redis-memtop.
func (t CommandTarget) tlsFlags() []string {
	if !t.TLS {
		return nil
	}
	f := []string{"--tls"}
	for _, o := range []struct{ flag, v string }{{"--cacert", t.CACert}, {"--cert", t.Cert}, {"--key", t.Key}, {"--sni", t.SNI}} {
		if o.v != "" {
			f = append(f, o.flag, shellWord(o.v))
		}
	}
	if t.Insecure {
		f = append(f, "--insecure")
	}
	return f
}

// memtopCommand gives "redis-memtop SUB …" the target's flags after SUB.
func (t CommandTarget) memtopCommand(rest string) string {
	sub, tail, _ := strings.Cut(rest, " ")
	if strings.Contains(rest, " -h ") || strings.Contains(rest, " -p ") || strings.Contains(rest, "://") {
		return "redis-memtop " + rest
	}
	var f []string
	if t.Socket != "" {
		u := "unix://" + t.Socket
		if t.DB != 0 {
			u += "?db=" + strconv.Itoa(t.DB)
		}
		f = append(f, shellWord(u))
	} else {
		f = append(f, "-h", shellWord(t.Host), "-p", strconv.Itoa(t.Port))
		if t.DB != 0 {
			f = append(f, "-n", strconv.Itoa(t.DB))
		}
		f = append(f, t.tlsFlags()...)
	}
	if t.User != "" {
		f = append(f, "--user", shellWord(t.User))
	}
	out := "redis-memtop " + sub + " " + strings.Join(f, " ")
	if tail != "" {
		out += " " + tail
	}
	return out
}

// shellWord is s as one shell word: bare when it holds only characters a
// shell passes through as they are, quoted otherwise.
func shellWord(s string) string {
	if s == "" {
		return "''"
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("._-:/@%+=,", r):
		default:
			return shellQuote(s)
		}
	}
	return s
}

// clusterAddr is a node's address as redis-cli --cluster reads it.
func clusterAddr(addr string) string {
	t := CommandTargetAt(addr)
	if t.Port == 0 {
		return shellWord(addr)
	}
	return shellWord(t.addr())
}

// maxNodeCommands bounds the commands a check writes for the nodes it
// names: the first few make the point, the drill-in view has the rest.
const maxNodeCommands = 3

// nodeCommands are the same commands on each named node (the first
// maxNodeCommands of them).
func nodeCommands(addrs []string, args ...string) []string {
	var out []string
	for i, a := range addrs {
		if i == maxNodeCommands {
			break
		}
		for _, arg := range args {
			out = append(out, NodeCommand(a, arg))
		}
	}
	return out
}
