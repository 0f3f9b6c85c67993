package model

import (
	"strconv"
	"strings"
	"time"
)

// ruleCtx is what every rule reads: the inputs plus the newest samples and a
// trend analysis computed once.
type ruleCtx struct {
	in    Inputs
	now   time.Time
	win   time.Duration
	h     *History
	last  *Sample // newest non-gap sample; nil when there is none
	ex    *Extras
	scan  *ScanFacts
	trend *trendFacts // computed on first use
}

func newRuleCtx(in Inputs) *ruleCtx {
	c := &ruleCtx{in: in, now: in.Now, win: in.Window, h: in.Hist, ex: in.Extras, scan: in.Scan}
	if c.win <= 0 {
		c.win = ThresholdVerdictWindow
	}
	if c.h != nil {
		c.last = c.h.LastOK()
	}
	if c.now.IsZero() && c.last != nil {
		c.now = c.last.Time
	}
	return c
}

// noSampleReason says why there is no sample to judge.
func (c *ruleCtx) noSampleReason() string {
	if c.h != nil {
		if l := c.h.Last(); l != nil && l.IsGap() {
			return "the server has not answered yet (" + oneLine(l.Err) + ")"
		}
	}
	return "no sample from the server yet"
}

// trendOf returns the trend facts over the window, computed once.
func (c *ruleCtx) trendOf() *trendFacts {
	if c.trend == nil {
		t := analyseTrend(c.h, c.now, c.win)
		c.trend = &t
	}
	return c.trend
}

// missing says why a field is absent from the newest sample: Dragonfly does
// not have it, the server is older than the version that added it, or it
// simply did not report it.
func (c *ruleCtx) missing(field, since string) string {
	s := c.last
	if s == nil {
		return c.noSampleReason()
	}
	if s.Server.Product == ProductDragonfly {
		return "Dragonfly does not report " + field
	}
	if since != "" {
		if v, ok := serverVersion(s); ok && versionLess(v, since) {
			return "server " + v + " is older than " + since + " and has no " + field
		}
	}
	if len(s.Sections) > 0 && !s.HasSection("memory") && strings.HasPrefix(field, "used_memory") {
		return "this server has no INFO memory section (a sentinel?)"
	}
	return "the server does not report " + field
}

// serverVersion is the real version of the server (valkey_version …), or the
// redis_version when that is all there is.
func serverVersion(s *Sample) (string, bool) {
	v := string(s.Server.Version)
	if v == "" {
		v = string(s.Server.RedisVersion)
	}
	v = strings.TrimPrefix(v, "df-v")
	if _, ok := parseVersion(v); !ok {
		return v, false
	}
	return v, true
}

// parseVersion reads "7.0.15" into [7 0 15]; missing parts are 0.
func parseVersion(v string) ([3]int, bool) {
	var out [3]int
	parts := strings.SplitN(v, ".", 3)
	for i, p := range parts {
		// Keep the leading digits only: "7.2.4-rc1" is 7.2.4.
		end := 0
		for end < len(p) && p[end] >= '0' && p[end] <= '9' {
			end++
		}
		if end == 0 {
			return out, i > 0
		}
		n, err := strconv.Atoi(p[:end])
		if err != nil {
			return out, false
		}
		out[i] = n
	}
	return out, true
}

// versionLess reports a < b for dotted versions; false when either does not parse.
func versionLess(a, b string) bool {
	va, ok1 := parseVersion(a)
	vb, ok2 := parseVersion(b)
	if !ok1 || !ok2 {
		return false
	}
	for i := range va {
		if va[i] != vb[i] {
			return va[i] < vb[i]
		}
	}
	return false
}

// configReason says why CONFIG values cannot be used, or "" when they can.
func (c *ruleCtx) configReason() string {
	if c.ex == nil {
		return "CONFIG not read yet"
	}
	if c.ex.Config == nil {
		if r := unavailableReason(c.ex, "config"); r != "" {
			return r
		}
		return "CONFIG not read yet"
	}
	if c.ex.Config.Err != "" {
		return deniedReason("CONFIG", c.ex.Config.Err)
	}
	return ""
}

// config returns a CONFIG value when CONFIG was read and has it.
func (c *ruleCtx) config(name string) (string, bool) {
	if c.configReason() != "" {
		return "", false
	}
	return c.ex.Config.Get(name)
}

// configFirst returns the first of several names the server has (7.0 renamed
// the ziplist settings to listpack; older servers only know the old names).
func (c *ruleCtx) configFirst(names ...string) (name, value string, ok bool) {
	for _, n := range names {
		if v, ok := c.config(n); ok {
			return n, v, true
		}
	}
	return "", "", false
}

// unavailableReason looks for a denied command in Extras.Unavailable whose
// name starts with cmd (case-insensitive: "CONFIG GET", "config|get").
func unavailableReason(ex *Extras, cmd string) string {
	for _, u := range ex.Unavailable {
		if strings.HasPrefix(strings.ToLower(u.Command), cmd) {
			return deniedReason(strings.ToUpper(cmd), u.Reason)
		}
	}
	return ""
}

// deniedReason turns a server error into a short reason for a person.
func deniedReason(cmd, err string) string {
	low := strings.ToLower(err)
	switch {
	case strings.Contains(low, "noperm") || strings.Contains(low, "no permissions"):
		return cmd + " is not allowed for this user"
	case strings.Contains(low, "unknown command") || strings.Contains(low, "unknown subcommand"):
		return cmd + " is disabled or renamed on this server (a managed service?)"
	case strings.Contains(low, "timeout") || strings.Contains(low, "deadline"):
		return cmd + " timed out"
	}
	return cmd + " failed: " + oneLine(err)
}

// clientsReason says why CLIENT LIST facts cannot be used, or "".
func (c *ruleCtx) clientsReason() string {
	if c.ex == nil {
		return "CLIENT LIST not read yet"
	}
	if c.ex.Clients == nil {
		if r := unavailableReason(c.ex, "client"); r != "" {
			return r
		}
		return "CLIENT LIST not read yet"
	}
	if c.ex.Clients.Err != "" {
		return deniedReason("CLIENT LIST", c.ex.Clients.Err)
	}
	return ""
}

// hostRAM is the memory the server can use on its machine: the cgroup limit
// when the server runs here in a container, else the host RAM (from /proc
// when local, else total_system_memory). src says where it came from.
func (c *ruleCtx) hostRAM() (ram float64, src string, ok bool) {
	if hf := c.hostFacts(); hf != nil {
		ram, ok1 := hf.HostRAM.Get()
		lim, ok2 := hf.CgroupLimit.Get()
		switch {
		case ok2 && (!ok1 || lim < ram):
			return lim, "cgroup memory limit", true
		case ok1:
			return ram, "host RAM", true
		}
	}
	if v, ok := c.last.Memory.TotalSystemMemory.Get(); ok && v > 0 {
		return v, srcTotalSystem, true
	}
	return 0, "", false
}

// hostFacts returns the host facts when the server runs on this machine.
func (c *ruleCtx) hostFacts() *HostFacts {
	if c.ex == nil || c.ex.Host == nil || !c.ex.Host.Local {
		return nil
	}
	return c.ex.Host
}

// maxmemory returns the configured limit (0 = none) from INFO, or from CONFIG
// on servers older than 3.2.
func (c *ruleCtx) maxmemory() (float64, bool) {
	if v, ok := c.last.Memory.MaxMemory.Get(); ok {
		return v, true
	}
	if s, ok := c.config("maxmemory"); ok {
		if v, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
			return v, true
		}
	}
	return 0, false
}

// policy returns maxmemory_policy from INFO, or CONFIG.
func (c *ruleCtx) policy() (string, bool) {
	if p := string(c.last.Memory.MaxMemoryPolicy); p != "" {
		return p, true
	}
	if s, ok := c.config("maxmemory-policy"); ok && s != "" {
		return s, true
	}
	return "", false
}

// usedShare is used_memory / maxmemory when a limit is set.
func (c *ruleCtx) usedShare() (float64, bool) {
	limit, ok := c.maxmemory()
	used, ok2 := c.last.Memory.UsedMemory.Get()
	if !ok || !ok2 || limit <= 0 {
		return 0, false
	}
	return used / limit, true
}

// oneLine keeps the first line of a message and bounds its length.
func oneLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	const maxLen = 120
	if r := []rune(s); len(r) > maxLen {
		s = string(r[:maxLen-1]) + "…"
	}
	return s
}
