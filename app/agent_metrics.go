package app

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/redis-memtop/redis-memtop/model"
)

// AgentMetrics bounds the agent's series: how many prefixes and keys each
// target exposes, and how a key name becomes a label.
type AgentMetrics struct {
	// TopPrefixes is how many top-level key prefixes, biggest first, get a
	// series each (0: the default, 10; < 0: none).
	TopPrefixes int
	// TopKeys is how many of the biggest keys get a series each (0: the
	// default, 10; < 0: none).
	TopKeys int
	// KeyNames is how a key name (and a prefix, made of key names) is
	// labelled: KeyNamesPlain (escaped like the screen escapes it, cut at
	// 120 cells) or KeyNamesHash (sha256 of the raw name, the first 16 hex
	// digits: the name stays private, the series stays the same key's).
	KeyNames string
}

// The ways of labelling a key name.
const (
	KeyNamesPlain = "plain"
	KeyNamesHash  = "hash"
)

// Defaults of AgentMetrics.
const (
	DefaultAgentTopPrefixes = 10
	DefaultAgentTopKeys     = 10
	agentLabelWidth         = 120
)

func (m AgentMetrics) withDefaults() AgentMetrics {
	if m.TopPrefixes == 0 {
		m.TopPrefixes = DefaultAgentTopPrefixes
	}
	if m.TopKeys == 0 {
		m.TopKeys = DefaultAgentTopKeys
	}
	if m.KeyNames == "" {
		m.KeyNames = KeyNamesPlain
	}
	return m
}

// StatusValue is a check status as the agent's gauge says it: ok 0, watch
// 1, warn 2, crit 3, unknown −1.
func StatusValue(s model.Status) float64 {
	switch s {
	case model.StatusOK:
		return 0
	case model.StatusWatch:
		return 1
	case model.StatusWarn:
		return 2
	case model.StatusCrit:
		return 3
	default:
		return -1
	}
}

// VerdictKinds are the verdict kinds the agent's redis_memtop_verdict has a
// series for, one each (1 for the present one), so an alert or a panel
// never waits for a series to appear.
var VerdictKinds = []model.VerdictKind{
	model.VerdictUnknown, model.VerdictStable, model.VerdictDataGrowth, model.VerdictFragmentation,
	model.VerdictCopyOnWrite, model.VerdictClientBuffers, model.VerdictReplicationBuffers,
	model.VerdictEvicting, model.VerdictWritesRefused, model.VerdictLoading,
}

// confidenceValue is the verdict's confidence as a number: low 0, medium
// 1, high 2.
func confidenceValue(c model.Confidence) float64 {
	switch c {
	case model.ConfidenceHigh:
		return 2
	case model.ConfidenceMedium:
		return 1
	default:
		return 0
	}
}

// The agent's metric names: the README's list and the Grafana dashboard
// are checked against them (AgentMetricNames).
const (
	mUp                = "redis_memtop_up"
	mInfo              = "redis_memtop_info"
	mCheck             = "redis_memtop_check_status"
	mChecksWorst       = "redis_memtop_checks_worst_status"
	mVerdict           = "redis_memtop_verdict"
	mVerdictConfidence = "redis_memtop_verdict_confidence"
	mForkRunning       = "redis_memtop_fork_running"
	mForkCOW           = "redis_memtop_fork_cow_bytes"
	mForkCOWPeak       = "redis_memtop_fork_cow_peak_bytes"
	mForkProgress      = "redis_memtop_fork_progress_ratio"
	mScanRunning       = "redis_memtop_scan_running"
	mScanProgress      = "redis_memtop_scan_progress_ratio"
	mScanScanned       = "redis_memtop_scan_keys_scanned"
	mScanKeys          = "redis_memtop_scan_keys"
	mScanRate          = "redis_memtop_scan_keys_per_second"
	mScanNth           = "redis_memtop_scan_pass"
	mScannedBytes      = "redis_memtop_scanned_bytes"
	mNoTTLBytes        = "redis_memtop_no_ttl_bytes"
	mPrefixBytes       = "redis_memtop_prefix_bytes"
	mPrefixNoTTLBytes  = "redis_memtop_prefix_no_ttl_bytes"
	mPrefixKeys        = "redis_memtop_prefix_keys"
	mKeyBytes          = "redis_memtop_key_bytes"
)

// agentDescs are the descriptions of every series the agent serves.
type agentDescs struct {
	up, info, check, worst, verdict, confidence         *prometheus.Desc
	forkRunning, forkCOW, forkCOWPeak, forkProgress     *prometheus.Desc
	scanRunning, scanProgress, scanScanned, scanKeys    *prometheus.Desc
	scanRate, scanPass, scannedBytes, noTTLBytes        *prometheus.Desc
	prefixBytes, prefixNoTTLBytes, prefixKeys, keyBytes *prometheus.Desc
}

func newAgentDescs() agentDescs {
	t := []string{"target"}
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, append(slices.Clone(t), labels...), nil)
	}
	return agentDescs{
		up:               d(mUp, "1 when the latest poll of the target succeeded, 0 when it failed or none has yet."),
		info:             d(mInfo, "Always 1: the target's identity (run_id joins redis_exporter's redis_instance_info).", "run_id", "product", "version", "role"),
		check:            d(mCheck, "One checklist check: ok 0, watch 1, warn 2, crit 3, unknown -1.", "check"),
		worst:            d(mChecksWorst, "The worst status among the checks (ok 0, watch 1, warn 2, crit 3; unknown -1 only when every check is unknown)."),
		verdict:          d(mVerdict, "1 for the verdict kind that names the dominant cause now, 0 for the others.", "kind"),
		confidence:       d(mVerdictConfidence, "The verdict's confidence: low 0, medium 1, high 2."),
		forkRunning:      d(mForkRunning, "1 while a BGSAVE, AOF rewrite or module fork child runs."),
		forkCOW:          d(mForkCOW, "Live copy-on-write of the running fork child (current_cow_size); absent when the server does not report it."),
		forkCOWPeak:      d(mForkCOWPeak, "Peak copy-on-write of the running fork child (current_cow_peak); absent when the server does not report it."),
		forkProgress:     d(mForkProgress, "Progress of the running fork child, 0-1 (current_fork_perc, or keys processed of total); absent when no fork runs."),
		scanRunning:      d(mScanRunning, "1 while the big-key scan is going over the keyspace."),
		scanProgress:     d(mScanProgress, "Share of the keyspace the big-key scan's pass has covered, 0-1."),
		scanScanned:      d(mScanScanned, "Keys the big-key scan's pass has looked at."),
		scanKeys:         d(mScanKeys, "Keys in the scanned databases when the pass started (DBSIZE)."),
		scanRate:         d(mScanRate, "The big-key scan's recent rate."),
		scanPass:         d(mScanNth, "The big-key scan's pass number (1 for the first)."),
		scannedBytes:     d(mScannedBytes, "Bytes (MEMORY USAGE) of the keys the best pass sized."),
		noTTLBytes:       d(mNoTTLBytes, "Bytes of the sized keys that have no TTL."),
		prefixBytes:      d(mPrefixBytes, "Bytes of the keys under a top-level prefix (the biggest, bounded by --agent-top-prefixes).", "prefix"),
		prefixNoTTLBytes: d(mPrefixNoTTLBytes, "Bytes without a TTL under a top-level prefix (the same prefixes).", "prefix"),
		prefixKeys:       d(mPrefixKeys, "Keys under a top-level prefix (the same prefixes).", "prefix"),
		keyBytes:         d(mKeyBytes, "Bytes of one of the biggest keys (bounded by --agent-top-keys; the name escaped, or hashed with --agent-key-names hash).", "db", "key", "type"),
	}
}

// AgentMetricNames lists every metric name the agent can serve.
func AgentMetricNames() []string {
	return []string{
		mUp, mInfo, mCheck, mChecksWorst, mVerdict, mVerdictConfidence,
		mForkRunning, mForkCOW, mForkCOWPeak, mForkProgress,
		mScanRunning, mScanProgress, mScanScanned, mScanKeys, mScanRate, mScanNth,
		mScannedBytes, mNoTTLBytes, mPrefixBytes, mPrefixNoTTLBytes, mPrefixKeys, mKeyBytes,
	}
}

// agentCollector reads every target's state at each scrape.
type agentCollector struct {
	targets []*agentTarget
	cfg     AgentMetrics
	d       agentDescs
}

func newAgentCollector(targets []*agentTarget, cfg AgentMetrics) *agentCollector {
	return &agentCollector{targets: targets, cfg: cfg, d: newAgentDescs()}
}

// Describe sends every description (a checked collector: the registry
// refuses a series it was not told of).
func (c *agentCollector) Describe(ch chan<- *prometheus.Desc) {
	d := &c.d
	for _, x := range []*prometheus.Desc{
		d.up, d.info, d.check, d.worst, d.verdict, d.confidence,
		d.forkRunning, d.forkCOW, d.forkCOWPeak, d.forkProgress,
		d.scanRunning, d.scanProgress, d.scanScanned, d.scanKeys, d.scanRate, d.scanPass,
		d.scannedBytes, d.noTTLBytes, d.prefixBytes, d.prefixNoTTLBytes, d.prefixKeys, d.keyBytes,
	} {
		ch <- x
	}
}

// Collect sends each target's series.
func (c *agentCollector) Collect(ch chan<- prometheus.Metric) {
	for _, t := range c.targets {
		c.collect(ch, t.snapshot())
	}
}

func (c *agentCollector) collect(ch chan<- prometheus.Metric, s agentSnapshot) {
	d := &c.d
	g := func(desc *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, v, append([]string{s.id}, labels...)...)
	}
	bool01 := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	g(d.up, bool01(s.up))
	if l := s.last; l != nil {
		c.collectSample(l, g, bool01)
	}
	if dg := s.diag; dg != nil {
		worst := -1.0
		for _, ck := range dg.Checks {
			if ck.ID == model.CheckEvidence {
				// A reminder to the person at the keyboard, not a finding.
				continue
			}
			v := StatusValue(ck.Status)
			worst = max(worst, v)
			g(d.check, v, ck.ID)
		}
		g(d.worst, worst)
		for _, k := range VerdictKinds {
			g(d.verdict, bool01(dg.Verdict.Kind == k), string(k))
		}
		g(d.confidence, confidenceValue(dg.Verdict.Confidence))
	}
	if s.scanned {
		c.collectScan(s, g, bool01)
	}
}

// collectSample sends the identity and the fork's series of the latest
// good sample.
func (c *agentCollector) collectSample(l *model.Sample, g func(*prometheus.Desc, float64, ...string), bool01 func(bool) float64) {
	d := &c.d
	g(d.info, 1, label(string(l.Server.RunID)), label(string(l.Server.Product)), label(string(l.Server.Version)), label(string(l.Server.Role)))
	p := &l.Persistence
	fork := l.ForkRunning()
	g(d.forkRunning, bool01(fork))
	if v, ok := p.CurrentCOWSize.Get(); ok {
		g(d.forkCOW, v)
	}
	if v, ok := p.CurrentCOWPeak.Get(); ok {
		g(d.forkCOWPeak, v)
	}
	if v, ok := forkProgress(p); ok && fork {
		g(d.forkProgress, v)
	}
}

// collectScan sends the scan's progress, its totals and the bounded top
// lists.
func (c *agentCollector) collectScan(s agentSnapshot, g func(*prometheus.Desc, float64, ...string), bool01 func(bool) float64) {
	d := &c.d
	st := s.scan
	if st == nil {
		g(d.scanRunning, 0)
		return
	}
	p := &st.Progress
	g(d.scanRunning, bool01(p.Phase == model.ScanScanning))
	g(d.scanProgress, p.Fraction())
	g(d.scanScanned, float64(p.Scanned))
	g(d.scanKeys, float64(p.DBSize))
	g(d.scanRate, p.KeysPerSec)
	g(d.scanPass, float64(p.Pass))
	bk := st.Best()
	if bk == nil {
		return
	}
	g(d.scannedBytes, float64(bk.Bytes))
	g(d.noTTLBytes, float64(bk.NoTTLBytes))
	if n := c.cfg.TopPrefixes; n > 0 {
		var top []model.PrefixStat
		for _, ps := range bk.Prefixes {
			if ps.Depth == 1 {
				top = append(top, ps)
			}
		}
		slices.SortStableFunc(top, func(a, b model.PrefixStat) int { return cmpDesc(a.Bytes, b.Bytes) })
		seen := map[string]bool{}
		for _, ps := range top {
			if len(seen) == n {
				break
			}
			name := c.keyLabel(ps.Prefix)
			if seen[name] {
				continue // two prefixes that escape alike: the bigger one stands
			}
			seen[name] = true
			g(d.prefixBytes, float64(ps.Bytes), name)
			g(d.prefixNoTTLBytes, float64(ps.NoTTLBytes), name)
			g(d.prefixKeys, float64(ps.Keys), name)
		}
	}
	if n := c.cfg.TopKeys; n > 0 {
		seen := map[[2]string]bool{}
		for i := range bk.TopBytes {
			if len(seen) == n {
				break
			}
			k := &bk.TopBytes[i]
			if k.Bytes < 0 {
				continue
			}
			id := [2]string{strconv.Itoa(k.DB), c.keyLabel(k.Key)}
			if seen[id] {
				continue
			}
			seen[id] = true
			g(d.keyBytes, float64(k.Bytes), id[0], id[1], label(k.Type))
		}
	}
}

// keyLabel is a key name or a prefix as a label value: escaped and cut,
// or hashed.
func (c *agentCollector) keyLabel(key string) string {
	if c.cfg.KeyNames == KeyNamesHash {
		sum := sha256.Sum256([]byte(key))
		return "sha256:" + hex.EncodeToString(sum[:8])
	}
	return label(key)
}

// label is a server string as a label value: escaped the way the screen
// escapes it (control characters, invalid UTF-8) and cut, so a hostile key
// name neither breaks the exposition nor grows it without bound.
func label(s string) string { return model.Sanitize(s, agentLabelWidth) }

// forkProgress is the running fork's progress, 0–1.
func forkProgress(p *model.Persistence) (float64, bool) {
	if v, ok := p.CurrentForkPerc.Get(); ok {
		return min(max(v/100, 0), 1), true
	}
	done, ok1 := p.CurrentSaveKeysProcessed.Get()
	total, ok2 := p.CurrentSaveKeysTotal.Get()
	if ok1 && ok2 && total > 0 {
		return min(max(done/total, 0), 1), true
	}
	return 0, false
}

func cmpDesc(a, b int64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}
