package model

import (
	"slices"
	"strings"
)

// A command that changes the server (CONFIG SET, MEMORY PURGE, BGSAVE…) is
// pasted by someone who trusts the checklist, during an incident. So it is
// offered only when the check found something (not ok, not unknown) and
// only when this server can do it; the rules may write such commands
// freely, and gateWrites, run once over a whole checklist, removes those the
// state does not justify.

// cliCluster is redis-cli's option that makes a command a cluster manager's.
const cliCluster = "--cluster"

// writeWords are the commands (first words, upper case, after redis-cli's
// options) that change the server.
var writeWords = []string{
	"CONFIG SET", "CONFIG REWRITE", "CONFIG RESETSTAT", "MEMORY PURGE",
	"BGSAVE", "BGREWRITEAOF", "SAVE", "SHUTDOWN", "FLUSHALL", "FLUSHDB",
	"DEL", "UNLINK", "EXPIRE", "PERSIST", "CLIENT KILL", "SCRIPT FLUSH", "FUNCTION FLUSH",
	"SLAVEOF", "REPLICAOF", "FAILOVER", "CLUSTER FAILOVER", "DEBUG",
}

// writeClusterSubs are the redis-cli --cluster subcommands that change the
// cluster (rebalance only with --cluster-simulate is a dry run).
var writeClusterSubs = []string{"fix", "rebalance", "reshard", "add-node", "del-node", "import", "set-timeout", "call"}

// IsWriteCommand says whether a suggested command changes the server: a
// redis-cli command of writeWords, a --cluster subcommand that moves slots
// or nodes, or a redis.conf line (a config change to make).
func IsWriteCommand(cmd string) bool {
	if strings.HasPrefix(cmd, "# redis.conf:") {
		return true
	}
	w := cliCommandWords(cmd)
	if len(w) == 0 {
		return false
	}
	if w[0] == cliCluster {
		if len(w) < 2 || strings.Contains(cmd, "--cluster-simulate") {
			return false
		}
		for _, s := range writeClusterSubs {
			if strings.EqualFold(w[1], s) {
				return true
			}
		}
		return false
	}
	head := strings.ToUpper(w[0])
	if len(w) > 1 {
		two := head + " " + strings.ToUpper(w[1])
		for _, ww := range writeWords {
			if two == ww {
				return true
			}
		}
	}
	for _, ww := range writeWords {
		if head == ww {
			return true
		}
	}
	return false
}

// cliCommandWords are the words of a redis-cli command from the command
// name on (its options skipped); "--cluster SUB …" for a cluster command.
// Nil when cmd does not start with redis-cli.
func cliCommandWords(cmd string) []string {
	words := strings.Fields(cmd)
	if len(words) == 0 || words[0] != "redis-cli" {
		return nil
	}
	words = words[1:]
	for i := 0; i < len(words); i++ {
		w := words[i]
		if w == cliCluster {
			return words[i:]
		}
		if !strings.HasPrefix(w, "-") {
			return words[i:]
		}
		if cliOptionsWithValue[w] {
			i++
		}
	}
	return nil
}

// serverAbility is what the latest reads say this server can do.
type serverAbility struct {
	configDenied string // why CONFIG SET cannot be used ("" = it can, or unknown)
	forkRunning  bool   // a BGSAVE or AOF rewrite runs: another is refused
	notJemalloc  string // mem_allocator when it is not jemalloc (MEMORY PURGE does nothing)
	noDefrag     string // why active defrag cannot be enabled ("" = it can, or unknown)
}

func (c *ruleCtx) ability() serverAbility {
	var a serverAbility
	if c.ex != nil && c.ex.Config != nil && c.ex.Config.Err != "" {
		if _, denied := deniedWord(c.ex.Config.Err); denied {
			a.configDenied = deniedReason("CONFIG", c.ex.Config.Err)
		}
	}
	if c.last == nil {
		return a
	}
	p := &c.last.Persistence
	on := func(o Opt) bool { v, ok := o.Get(); return ok && v > 0 }
	a.forkRunning = on(p.RDBBgsaveInProgress) || on(p.AOFRewriteInProgress) || on(p.ModuleForkInProgress)
	if alloc := string(c.last.Memory.MemAllocator); alloc != "" && !strings.HasPrefix(alloc, "jemalloc") {
		a.notJemalloc = alloc
	}
	a.noDefrag = c.defragUnsupported()
	return a
}

// deniedWord tells a denial (NOPERM, unknown or renamed command, a
// provider's block) from a transient failure in a reader's error text.
func deniedWord(err string) (string, bool) {
	up := strings.ToUpper(err)
	for _, w := range []string{"NOPERM", "UNKNOWN COMMAND", "UNKNOWN SUBCOMMAND", "RENAMED", "BLOCKED", "NOT ALLOWED", "REFUSED"} {
		if strings.Contains(up, w) {
			return w, true
		}
	}
	return "", false
}

// bundledJemallocSuffix ends the version of the jemalloc copy that Redis
// (and Valkey) ship in deps/: built from their tree, not a git checkout, it
// says "5.3.0-0-g0". That copy carries the defrag hint active defrag needs;
// a distribution's system jemalloc (Debian's says
// "5.3.0-0-g54eaed1d…") does not, and such a server answers CONFIG SET
// activedefrag yes with "Active defragmentation cannot be enabled: it
// requires a Redis server compiled with a modified Jemalloc". INFO, CONFIG
// and MEMORY DOCTOR read the same on both; MEMORY MALLOC-STATS's version
// line is the difference. Measured (redisx TestAllocatorTellsDefragSupport)
// on Debian's redis-server 7.0.15 against the matrix builds: Redis 6.2.16
// ("5.1.0-0-g0"), 7.2.6, 7.4.1, 8.0-m01 and Valkey 8.0.1 ("5.3.0-0-g0").
const bundledJemallocSuffix = "-g0"

// defragUnsupported says why active defrag cannot be turned on here, or ""
// when it can or nothing tells.
func (c *ruleCtx) defragUnsupported() string {
	if c.last != nil {
		if alloc := string(c.last.Memory.MemAllocator); alloc != "" && !strings.HasPrefix(alloc, "jemalloc") {
			return "mem_allocator is " + alloc + ": active defrag needs jemalloc"
		}
	}
	if v, ok := c.config("activedefrag"); ok && strings.EqualFold(v, "yes") {
		return "" // the server took it: it can
	}
	if c.ex == nil || c.ex.Allocator == nil || c.ex.Allocator.Version == "" {
		return ""
	}
	if v := c.ex.Allocator.Version; !strings.HasSuffix(v, bundledJemallocSuffix) {
		return "jemalloc " + v + " is a system build, not the copy bundled with Redis: the server refuses CONFIG SET activedefrag yes"
	}
	return ""
}

// gateWrites drops, from every check, the write commands the state does not
// justify (the check is ok or unknown) or the server cannot run, and says
// why in a comment line when a check loses one for want of ability.
func gateWrites(cl Checklist, a serverAbility) Checklist {
	for i := range cl {
		ch := &cl[i]
		found := ch.Status != StatusOK && ch.Status != StatusUnknown
		var kept, notes, whys []string
		for _, cmd := range ch.Commands {
			if !IsWriteCommand(cmd) {
				kept = append(kept, cmd)
				continue
			}
			if !found {
				continue
			}
			if why := a.cannot(cmd); why != "" {
				if !slices.Contains(whys, why) {
					whys = append(whys, why)
					notes = append(notes, "# "+writeName(cmd)+" not offered: "+why)
				}
				continue
			}
			kept = append(kept, cmd)
		}
		if len(kept)+len(notes) != len(ch.Commands) || len(notes) > 0 {
			ch.Commands = append(kept, notes...)
			if ch.Commands == nil {
				ch.Commands = []string{}
			}
		}
	}
	return cl
}

// writeName names a write command in a note ("CONFIG SET",
// "redis.conf activedefrag").
func writeName(cmd string) string {
	if rest, ok := strings.CutPrefix(cmd, "# redis.conf: "); ok {
		name, _, _ := strings.Cut(rest, " ")
		return "redis.conf " + name
	}
	w := cliCommandWords(cmd)
	switch {
	case len(w) >= 2 && (strings.EqualFold(w[0], "CONFIG") || strings.EqualFold(w[0], "MEMORY") || strings.EqualFold(w[0], "CLIENT") || strings.EqualFold(w[0], "SCRIPT")):
		return strings.ToUpper(w[0] + " " + w[1])
	case len(w) >= 1:
		return strings.ToUpper(w[0])
	}
	return "it"
}

// cannot says why this server cannot run a write command, or "".
func (a serverAbility) cannot(cmd string) string {
	up := strings.ToUpper(cmd)
	defrag := strings.Contains(up, "ACTIVEDEFRAG YES")
	switch {
	case defrag && a.noDefrag != "":
		return a.noDefrag
	case strings.Contains(up, "CONFIG SET") && a.configDenied != "":
		return a.configDenied
	case (strings.Contains(up, "BGSAVE") || strings.Contains(up, "BGREWRITEAOF")) && a.forkRunning:
		return "a fork is running; the server refuses another until it ends"
	case strings.Contains(up, "MEMORY PURGE") && a.notJemalloc != "":
		return "MEMORY PURGE only acts on jemalloc (mem_allocator is " + a.notJemalloc + ")"
	}
	return ""
}
