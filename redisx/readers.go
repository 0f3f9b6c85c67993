package redisx

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/model"
)

// DefaultClientsTop is how many clients ReadExtras keeps in Clients.Top.
const DefaultClientsTop = 10

// Command names as the Unavailable entries report them.
const (
	cmdConfigGet    = "CONFIG GET"
	cmdClientList   = "CLIENT LIST"
	cmdMemoryDoctor = "MEMORY DOCTOR"
	cmdMallocStats  = "MEMORY MALLOC-STATS"
)

// configPatterns are the CONFIG GET patterns for the memory-related settings,
// one CONFIG GET each (several patterns in one call need 7.0), all sent in one
// round trip.
var configPatterns = []string{
	"maxmemory*", // maxmemory, -policy, -samples, -clients, -eviction-tenacity
	"activedefrag", "active-defrag-*",
	"lazyfree-*",
	"*-max-*-entries", "*-max-*-value", "list-max-*", // listpack / ziplist / intset thresholds
	"client-output-buffer-limit", "repl-backlog-size",
	"save", "appendonly", "appendfsync",
	"io-threads", "hz", "disable-thp",
}

// Denial tells whether err means the command cannot be used here (as opposed
// to a transient failure), and why: NOPERM (ACL), an unknown or renamed
// command (rename-command, a managed service), a provider block, or the
// read-only guard.
func Denial(err error) (string, bool) {
	if err == nil {
		return "", false
	}
	if errors.Is(err, ErrForbidden) {
		return "refused by redis-memtop's read-only guard", true
	}
	var rerr redis.Error
	if !errors.As(err, &rerr) {
		return "", false
	}
	msg := rerr.Error()
	up := strings.ToUpper(msg)
	switch {
	case strings.HasPrefix(up, "NOPERM"):
		return clean(msg, ""), true
	case strings.Contains(up, "UNKNOWN COMMAND"), strings.Contains(up, "UNKNOWN SUBCOMMAND"):
		return "unknown command (renamed or blocked by the provider)", true
	case strings.Contains(up, "NOT ALLOWED"), strings.Contains(up, "DISABLED"), strings.Contains(up, "BLOCKED"), strings.Contains(up, "NOT SUPPORTED"):
		return "blocked: " + clean(msg, ""), true
	}
	return "", false
}

// deniedReason returns the cached reason a command cannot be used.
func (c *Client) deniedReason(cmd string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.denied[cmd]
	return r, ok
}

// noteDenied caches a denial so the command is not sent again (each refused
// call would also bump the server's errorstats and ACL counters).
func (c *Client) noteDenied(cmd, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.denied[cmd] = reason
}

// unsupported says why a command does not exist on this kind of server, or "".
func (c *Client) unsupported(cmd string) string {
	switch {
	case c.mode == ModeSentinel && cmd != cmdClientList:
		return "not available on a Sentinel"
	case cmd == cmdMemoryDoctor && !c.caps.MemoryDoctor:
		return "this server has no MEMORY DOCTOR"
	}
	return ""
}

// ReadConfig reads the memory-related settings with CONFIG GET. A ziplist
// alias is dropped when its listpack twin is reported too (7.0+ answers
// CONFIG GET with both names), so each setting appears once; 6.2 and older
// keep their ziplist names. On denial Err says why; partial replies keep
// what was read.
func (c *Client) ReadConfig(ctx context.Context) *model.Config {
	cfg, _ := c.readConfig(ctx)
	return cfg
}

func (c *Client) readConfig(ctx context.Context) (*model.Config, *model.Unavailable) {
	if r := c.unsupported(cmdConfigGet); r != "" {
		return &model.Config{Err: r}, &model.Unavailable{Command: cmdConfigGet, Reason: r}
	}
	if r, ok := c.deniedReason(cmdConfigGet); ok {
		return &model.Config{Err: r}, &model.Unavailable{Command: cmdConfigGet, Reason: r}
	}
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	cmds, perr := c.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for _, p := range configPatterns {
			pipe.ConfigGet(ctx, p)
		}
		return nil
	})
	out := &model.Config{Values: map[string]string{}}
	var firstErr error
	for _, cmd := range cmds {
		cg, ok := cmd.(*redis.MapStringStringCmd)
		if !ok {
			continue
		}
		vals, err := cg.Result()
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		for k, v := range vals {
			out.Values[k] = v
		}
	}
	if len(cmds) == 0 && perr != nil {
		firstErr = perr
	}
	dedupeAliases(out.Values)
	if firstErr == nil {
		return out, nil
	}
	if reason, denied := Denial(firstErr); denied {
		if len(out.Values) == 0 {
			c.noteDenied(cmdConfigGet, reason)
			return &model.Config{Err: reason}, &model.Unavailable{Command: cmdConfigGet, Reason: reason}
		}
		out.Err = "some settings: " + reason
		return out, nil
	}
	out.Err = c.describe(firstErr)
	if len(out.Values) == 0 {
		out.Values = nil
	}
	return out, nil
}

// dedupeAliases drops "*-ziplist-*" names whose "*-listpack-*" twin is present.
func dedupeAliases(m map[string]string) {
	for k := range m {
		if !strings.Contains(k, "ziplist") {
			continue
		}
		if _, ok := m[strings.Replace(k, "ziplist", "listpack", 1)]; ok {
			delete(m, k)
		}
	}
}

// ReadClients reads CLIENT LIST and summarises it (see ParseClientList).
func (c *Client) ReadClients(ctx context.Context, top int) *model.Clients {
	cl, _ := c.readClients(ctx, top)
	return cl
}

func (c *Client) readClients(ctx context.Context, top int) (*model.Clients, *model.Unavailable) {
	if r, ok := c.deniedReason(cmdClientList); ok {
		return &model.Clients{Err: r}, &model.Unavailable{Command: cmdClientList, Reason: r}
	}
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	text, err := c.rdb.ClientList(ctx).Result()
	if err != nil {
		if reason, denied := Denial(err); denied {
			c.noteDenied(cmdClientList, reason)
			return &model.Clients{Err: reason}, &model.Unavailable{Command: cmdClientList, Reason: reason}
		}
		return &model.Clients{Err: c.describe(err)}, nil
	}
	return ParseClientList(text, top), nil
}

// ParseClientList parses CLIENT LIST text: one client per line of
// space-separated k=v pairs (fields vary by version, §9; Dragonfly has no
// memory fields). It counts the clients, sums tot-mem and omem (absent when no
// client reports them) and keeps the top clients by tot-mem (by omem, then
// qbuf, where tot-mem is missing). Name, Addr, Flags and Cmd are server text:
// escape them before drawing.
func ParseClientList(text string, top int) *model.Clients {
	out := &model.Clients{}
	var all []model.ClientInfo
	var totMem, omem float64
	var haveTot, haveOmem bool
	for line := range strings.Lines(text) {
		line = strings.TrimRight(line, "\r\n")
		if strings.TrimSpace(line) == "" {
			continue
		}
		ci, ok := parseClientLine(line)
		if !ok {
			continue
		}
		out.Count++
		if v, ok := ci.TotMem.Get(); ok {
			totMem += v
			haveTot = true
		}
		if v, ok := ci.Omem.Get(); ok {
			omem += v
			haveOmem = true
		}
		all = append(all, ci)
	}
	if haveTot {
		out.TotalMem = model.Some(totMem)
	}
	if haveOmem {
		out.TotalOmem = model.Some(omem)
	}
	slices.SortStableFunc(all, func(a, b model.ClientInfo) int {
		if c := cmp.Compare(b.TotMem.Or(-1), a.TotMem.Or(-1)); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Omem.Or(-1), a.Omem.Or(-1)); c != 0 {
			return c
		}
		return cmp.Compare(b.Qbuf.Or(-1), a.Qbuf.Or(-1))
	})
	if top > 0 && len(all) > top {
		all = all[:top]
	}
	if top > 0 {
		out.Top = all
	}
	return out
}

func parseClientLine(line string) (model.ClientInfo, bool) {
	var ci model.ClientInfo
	seenID := false
	for _, part := range strings.Fields(line) {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		switch k {
		case "id":
			ci.ID, seenID = v, true
		case "addr":
			ci.Addr = v
		case "name":
			ci.Name = v
		case "flags":
			ci.Flags = v
		case "cmd":
			ci.Cmd = v
		case "age":
			ci.Age = ParseNumber(v)
		case "idle":
			ci.Idle = ParseNumber(v)
		case "qbuf":
			ci.Qbuf = ParseNumber(v)
		case "omem":
			ci.Omem = ParseNumber(v)
		case "tot-mem":
			ci.TotMem = ParseNumber(v)
		}
	}
	return ci, seenID
}

// ReadDoctor reads MEMORY DOCTOR's free text.
func (c *Client) ReadDoctor(ctx context.Context) *model.Doctor {
	d, _ := c.readDoctor(ctx)
	return d
}

func (c *Client) readDoctor(ctx context.Context) (*model.Doctor, *model.Unavailable) {
	if r := c.unsupported(cmdMemoryDoctor); r != "" {
		return &model.Doctor{Err: r}, &model.Unavailable{Command: cmdMemoryDoctor, Reason: r}
	}
	if r, ok := c.deniedReason(cmdMemoryDoctor); ok {
		return &model.Doctor{Err: r}, &model.Unavailable{Command: cmdMemoryDoctor, Reason: r}
	}
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	text, err := c.rdb.Do(ctx, "memory", "doctor").Text()
	if err != nil {
		if reason, denied := Denial(err); denied {
			c.noteDenied(cmdMemoryDoctor, reason)
			return &model.Doctor{Err: reason}, &model.Unavailable{Command: cmdMemoryDoctor, Reason: reason}
		}
		return &model.Doctor{Err: c.describe(err)}, nil
	}
	return &model.Doctor{Text: strings.TrimRight(text, "\r\n")}, nil
}

// ReadExtras reads everything beside INFO — CONFIG GET, CLIENT LIST (top
// DefaultClientsTop), MEMORY DOCTOR — each with its own timeout, and lists in
// Unavailable every command that was denied and why. Host facts are not read
// here (they are not Redis I/O): Host stays nil.
func (c *Client) ReadExtras(ctx context.Context, now time.Time) model.Extras {
	ex := model.Extras{Time: now}
	var un *model.Unavailable
	ex.Config, un = c.readConfig(ctx)
	ex.Unavailable = appendUnavailable(ex.Unavailable, un)
	ex.Clients, un = c.readClients(ctx, DefaultClientsTop)
	ex.Unavailable = appendUnavailable(ex.Unavailable, un)
	ex.Doctor, un = c.readDoctor(ctx)
	ex.Unavailable = appendUnavailable(ex.Unavailable, un)
	ex.Allocator = c.readAllocator(ctx)
	return ex
}

// readAllocator reads which jemalloc the server was built with, once: the
// version line of MEMORY MALLOC-STATS tells Redis's bundled copy (the one
// active defrag needs) from a distribution's (see model's
// bundledJemallocSuffix). The reply is some 20 KB, so it is read once a
// connection, not every few seconds; nil where the server has no such
// command or does not use jemalloc. A denial is not listed as unavailable:
// nothing the user asked for is missing, only a hint.
func (c *Client) readAllocator(ctx context.Context) *model.Allocator {
	c.mu.Lock()
	a := c.alloc
	c.mu.Unlock()
	if a != nil {
		return a
	}
	if c.mode == ModeSentinel || !c.caps.MemoryDoctor {
		return nil
	}
	if _, ok := c.deniedReason(cmdMallocStats); ok {
		return nil
	}
	if alloc, ok := c.first.Get("mem_allocator"); ok && !strings.HasPrefix(strings.TrimSpace(alloc), "jemalloc") {
		return nil
	}
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	text, err := c.rdb.Do(ctx, "memory", "malloc-stats").Text()
	if err != nil {
		if reason, denied := Denial(err); denied {
			c.noteDenied(cmdMallocStats, reason)
		}
		return nil // a transient failure: try again with the next extras
	}
	a = &model.Allocator{Version: mallocVersion(text)}
	c.mu.Lock()
	c.alloc = a
	c.mu.Unlock()
	return a
}

// mallocVersion is the `Version: "…"` of jemalloc's statistics ("" when
// the text has none).
func mallocVersion(text string) string {
	for line := range strings.Lines(text) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Version:"); ok {
			v = strings.Trim(strings.TrimSpace(v), `"`)
			return v[:min(len(v), 80)]
		}
	}
	return ""
}

func appendUnavailable(list []model.Unavailable, u *model.Unavailable) []model.Unavailable {
	if u == nil {
		return list
	}
	return append(list, *u)
}

// ReadSlotMoves reads the slot migrations under way on this cluster node
// from its own CLUSTER NODES line ([slot->-peer] migrating, [slot-<-peer]
// importing). Call it only for a server in cluster mode.
func (c *Client) ReadSlotMoves(ctx context.Context) *model.SlotMoves {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	text, err := c.rdb.Do(ctx, "cluster", "nodes").Text()
	if err != nil {
		if reason, denied := Denial(err); denied {
			return &model.SlotMoves{Err: reason}
		}
		return &model.SlotMoves{Err: c.describe(err)}
	}
	lines, err := ParseClusterNodes(text)
	if err != nil {
		return &model.SlotMoves{Err: err.Error()}
	}
	for _, l := range lines {
		if l.Myself {
			return &model.SlotMoves{Migrating: l.Node.Migrating, Importing: l.Node.Importing}
		}
	}
	return &model.SlotMoves{Err: "CLUSTER NODES has no line for this node"}
}
