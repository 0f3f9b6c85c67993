package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/x/term"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/promx"
	"github.com/redis-memtop/redis-memtop/redisx"
)

// ReportConfig is what `report` runs with.
type ReportConfig struct {
	// Interval is the time between two samples.
	Interval time.Duration
	// Duration is how much history the report gathers before it judges:
	// enough for a trend (ThresholdMinTrendSpan) by default; Interval (two
	// samples) for a quick look. At most Interval is used when shorter.
	Duration time.Duration
	// RaiseHint says how to raise a low confidence ("run without --quick
	// …"); the command line words it, since it names its flags.
	RaiseHint string
	Scan      ScanConfig
	// Cluster asks for the cluster section even when the target does not
	// say it is a cluster node.
	Cluster bool
	// Progress receives the scan's progress line when it is a terminal.
	Progress io.Writer
	// Prometheus, when set, is read for the History before the first
	// sample (--prometheus): the verdict and the trends then stand on it.
	Prometheus *promx.Client
	History    time.Duration
}

// Report collects the incident report of the target (resolved through
// Sentinel once when st is set): cfg.Duration of samples one interval apart
// plus the extras, the full INFO, the big keys when asked, and the cluster section
// on a cluster.
func Report(ctx context.Context, opts redisx.Options, st *Sentinel, cfg ReportConfig) (model.Report, error) {
	if st != nil {
		// The report is a snapshot: the master is resolved once.
		var err error
		if opts, err = st.Resolve(ctx, opts); err != nil {
			return model.Report{}, err
		}
	}
	rep, err := collectReport(ctx, opts, cfg)
	if err != nil {
		return rep, err
	}
	if cfg.Cluster || rep.Target.Mode == redisx.ModeCluster {
		rep.Cluster, err = collectCluster(ctx, opts, cfg.Interval)
		switch {
		case errors.Is(err, redisx.ErrClusterRefused):
			// Degrade, don't exit: the node answered, so its report
			// stands, and the cluster part says why it is missing.
			rep.ClusterUnavailable = redisx.Describe(err, opts.Password)
		case err != nil:
			return rep, err
		default:
			rep.Notes = append(rep.Notes, "the cluster section covers every node; the figures above are the target node's")
		}
	}
	return rep, nil
}

// collectReport connects, gathers cfg.Duration of samples one interval
// apart plus the extras, and builds the report. With the scan, a cluster's (cluster, or
// the target says so) covers every master, or a replica of each.
func collectReport(ctx context.Context, opts redisx.Options, cfg ReportConfig) (model.Report, error) {
	interval, sf, stderr := cfg.Interval, cfg.Scan, cfg.Progress
	c, err := redisx.Connect(ctx, opts)
	if err != nil {
		return model.Report{}, err //nolint:wrapcheck // a ConnectError is already one clear line
	}
	defer func() { _ = c.Close() }()

	// The samples the duration needs: one at each end of it.
	need := 2
	if interval > 0 && cfg.Duration > interval {
		need = int(cfg.Duration/interval) + 1
	}
	// The history from Prometheus is read while the samples are gathered.
	var bf *Backfill
	var past []model.Sample
	var pastMatch promx.Match
	var pastErr error
	pastDone := make(chan struct{})
	if cfg.Prometheus != nil {
		bf = backfillFor(Config{Prometheus: cfg.Prometheus, History: cfg.History, Interval: interval}, c)
		go func() {
			defer close(pastDone)
			past, pastMatch, pastErr = bf.Read(ctx, time.Now())
		}()
	} else {
		close(pastDone)
	}
	room := 0
	if bf != nil {
		room = bf.Max
	}
	hist := model.NewHistory(need + 8 + room)
	var extras *model.Extras
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	updates := make(chan model.Update, 8)
	poller := redisx.NewPoller(c, interval, 0)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = poller.Run(pctx, updates)
	}()
	// The samples the duration needs and the extras, or give up a few
	// intervals after the duration and report what there is.
	deadline := time.After(time.Duration(need-2)*interval + interval*3 + 2*opts.CommandTimeout + time.Second)
	tty := isTerminal(stderr)
	var gapErr string
collect:
	for {
		select {
		case u := <-updates:
			switch {
			case u.Sample != nil:
				hist.Add(*u.Sample)
				if u.Sample.IsGap() {
					gapErr = u.Sample.Err
				}
				if tty && need > 2 {
					fmt.Fprintf(stderr, "\rgathering samples for a trend: %d of %d, every %s  ", countOK(hist), need, model.Duration(interval))
				}
			case u.Extras != nil:
				extras = u.Extras
			}
			if ok := countOK(hist); ok >= need && extras != nil {
				break collect
			}
		case <-deadline:
			break collect
		case <-ctx.Done():
			cancel()
			<-done
			return model.Report{}, fmt.Errorf("report: interrupted")
		}
	}
	cancel()
	<-done
	if tty && need > 2 {
		fmt.Fprint(stderr, "\r\033[K")
	}
	<-pastDone
	var notes []string
	if bf != nil {
		if pastErr != nil {
			notes = append(notes, bf.failure(pastErr)+"; the report stands on its live samples alone")
		} else {
			hist.Seed(past)
			notes = append(notes, bf.readStatus(past, pastMatch))
		}
	}
	if hist.LastOK() == nil {
		return model.Report{}, fmt.Errorf("report: no sample could be read: %s", gapErr)
	}
	in := model.ReportInput{
		Now:    hist.Last().Time,
		Target: model.ReportTarget{Addr: opts.Redacted(), DB: opts.DB, Mode: c.Mode()},
		Hist:   hist,
		Extras: extras,
		// The checklist's commands name this server, never the password.
		CommandTarget: opts.CommandTarget(),
	}
	if info, err := c.ReadInfoAll(ctx); err == nil {
		in.Info = info.ReportSections()
	} else {
		notes = append(notes, "the full INFO could not be read: "+redisx.Describe(err, opts.Password))
	}
	cluster := cfg.Cluster || redisx.IsCluster(c)
	if sf.Replicas && !cluster {
		return model.Report{}, Usagef("--scan-replicas needs a Redis Cluster: %s is not a cluster node", opts.Redacted())
	}
	var merged *model.ScanState
	if sf.On {
		var note string
		var err error
		if in.Scan, merged, note, err = reportScan(ctx, c, opts, cluster, sf, stderr); err != nil {
			return model.Report{}, err
		}
		if note != "" {
			notes = append(notes, note)
		}
		switch {
		case sf.GrowthWait <= 0:
		case merged != nil || in.Scan == nil:
			notes = append(notes, "--growth-wait re-measures one server's top keys: not done across a cluster")
		default:
			if err := reportGrowth(ctx, c, in.Scan, sf, stderr); err != nil {
				return model.Report{}, err
			}
		}
	}
	rep := model.BuildReport(in)
	if merged != nil {
		bk := merged.Report()
		rep.BigKeys = &bk
	}
	if hint := confidenceNote(&rep, hist, cfg.RaiseHint); hint != "" {
		rep.Notes = append([]string{hint}, rep.Notes...)
	}
	rep.Notes = append(rep.Notes, c.Notes()...)
	rep.Notes = append(rep.Notes, notes...)
	return rep, nil
}

// confidenceNote says, when the verdict has low confidence, how much
// history it stood on and how to gather more: "low confidence: 2 samples
// over 1s; run without --quick or with --duration 30s".
func confidenceNote(rep *model.Report, hist *model.History, raise string) string {
	if rep.Verdict == nil || rep.Verdict.Confidence != model.ConfidenceLow {
		return ""
	}
	n := countOK(hist)
	span := time.Duration(0)
	for i := range hist.Len() {
		if s := hist.At(i); !s.IsGap() {
			span = hist.LastOK().Time.Sub(s.Time)
			break
		}
	}
	if span >= time.Second {
		span = span.Round(time.Second)
	} else {
		span = span.Round(100 * time.Millisecond)
	}
	note := fmt.Sprintf("low confidence: %d samples over %s", n, model.Duration(span))
	if raise != "" {
		note += "; " + raise
	}
	return note
}

// collectCluster polls every node of the target's cluster twice, one
// interval apart, and builds the cluster section with each node's own
// report (its samples and extras). A node that does not answer is marked in
// the section, not fatal.
func collectCluster(ctx context.Context, opts redisx.Options, interval time.Duration) (*model.ClusterReport, error) {
	m := redisx.NewClusterMonitor(opts, redisx.ClusterOptions{})
	defer func() { _ = m.Close() }()
	var views []model.ClusterView
	hists := map[string]*model.History{}
	for i := range 2 {
		if i > 0 {
			select {
			case <-time.After(interval):
			case <-ctx.Done():
				return nil, fmt.Errorf("report: interrupted")
			}
		}
		v, err := m.Poll(ctx)
		if errors.Is(err, redisx.ErrClusterRefused) {
			return nil, err //nolint:wrapcheck // Report degrades on it
		}
		if err != nil {
			return nil, fmt.Errorf("report: cluster: %s", redisx.Describe(err, opts.Password))
		}
		views = append(views, v)
		for _, n := range v.Nodes {
			h := hists[n.Addr]
			if h == nil {
				h = model.NewHistory(8)
				hists[n.Addr] = h
			}
			if n.Sample != nil {
				h.Add(*n.Sample)
			} else {
				h.Add(model.Sample{Time: v.Time, Err: n.Err})
			}
		}
	}
	// Each node's extras, read at once (a slow node does not hold up the
	// others).
	last := views[len(views)-1]
	extras := make(map[string]*model.Extras, len(last.Nodes))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, n := range last.Nodes {
		c := m.Client(n.Addr)
		if c == nil || n.Err != "" {
			continue
		}
		wg.Go(func() {
			e := c.ReadExtras(ctx, last.Time)
			mu.Lock()
			extras[n.Addr] = &e
			mu.Unlock()
		})
	}
	wg.Wait()
	cr := clusterSection(views, opts.DB, opts.CommandTarget(),
		func(n *model.ClusterNode) *model.History { return hists[n.Addr] },
		func(n *model.ClusterNode) *model.Extras { return extras[n.Addr] })
	return &cr, nil
}

func countOK(h *model.History) int {
	n := 0
	for i := range h.Len() {
		if !h.At(i).IsGap() {
			n++
		}
	}
	return n
}

// reportScan runs the report's big-key pass: over the cluster when the
// target is a cluster node, else (or when the server refuses CLUSTER, with
// a note saying so) over the node reached.
func reportScan(ctx context.Context, c *redisx.Client, opts redisx.Options, cluster bool, sf ScanConfig, stderr io.Writer) (target, merged *model.ScanState, note string, err error) {
	if cluster {
		runID, _ := c.FirstInfo().Get("run_id")
		target, merged, err = clusterFullScan(ctx, opts, strings.TrimSpace(runID), sf, stderr)
		if !errors.Is(err, redisx.ErrClusterRefused) {
			return target, merged, "", err
		}
		note = "the cluster's nodes cannot be read, so the scan covers the node reached only"
	}
	target, err = fullScan(ctx, c, sf, stderr)
	return target, nil, note, err
}

// reportScanOptions are the report's scan: one pass, honouring --scan-rate
// and --samples; MaxFailures, so a server that dies mid-scan ends the report
// instead of hanging it.
func reportScanOptions(sf ScanConfig) redisx.ScanOptions {
	return redisx.ScanOptions{Rate: sf.Rate, Samples: sf.Samples, Once: true, MaxFailures: 3, SampleFraction: sf.Sample}
}

// fullScan runs one complete big-key pass, with a progress line on stderr
// when it is a terminal.
func fullScan(ctx context.Context, c *redisx.Client, sf ScanConfig, stderr io.Writer) (*model.ScanState, error) {
	o := reportScanOptions(sf)
	o.DBs = ScanDBs(c)
	return drainScan(ctx, c.NewScanWorker(o).Run, "scanning", stderr)
}

// clusterFullScan runs one pass over every master of the target's cluster
// (with --scan-replicas, over one replica of each), each node within the
// --scan-rate budget. It returns the merged cluster-wide state, for the
// report's big-key section, and the target's own share of it (the worker
// that scanned its keys), for the target's checklist: its rules weigh a key
// against the target's used_memory, which says nothing of another node's
// keys. A node that cannot be scanned is an error in the merged section,
// not the end of the report.
func clusterFullScan(ctx context.Context, opts redisx.Options, runID string, sf ScanConfig, stderr io.Writer) (target, merged *model.ScanState, err error) {
	m := redisx.NewClusterMonitor(opts, redisx.ClusterOptions{})
	defer func() { _ = m.Close() }()
	v, err := m.Poll(ctx)
	if errors.Is(err, redisx.ErrClusterRefused) {
		return nil, nil, err //nolint:wrapcheck // the caller falls back on it
	}
	if err != nil {
		return nil, nil, fmt.Errorf("report: cluster scan: %s", redisx.Describe(err, opts.Password))
	}
	cs := redisx.NewClusterScan(m, redisx.ClusterScanOptions{Scan: reportScanOptions(sf), Replicas: sf.Replicas})
	cs.SetView(v)
	nodes := cs.Nodes()
	merged, err = drainScan(ctx, cs.Run, "scanning "+strconv.Itoa(len(nodes))+" nodes", stderr)
	if err != nil {
		return nil, nil, err
	}
	which := "every master"
	if sf.Replicas {
		which = "a replica of each master (--scan-replicas)"
	}
	merged.Progress.Notes = append(merged.Progress.Notes, "the big keys cover the whole cluster, scanned on "+which+": "+
		strings.Join(nodes, ", ")+"; the target's checklist weighs only its own keys")
	if sf.Sample > 0 {
		// Each node stopped at its share: the merge is a sample, not the
		// whole cluster (it is not estimated: the nodes are strata the
		// estimate does not weigh yet).
		merged.Progress.SampleFraction = sf.Sample
		merged.Progress.Notes = append(merged.Progress.Notes, "--scan-sample: each node's pass stopped at its share; a cluster's totals are not estimated, only the keys found are listed")
	}
	// The target as the cluster names it: the address given may be another
	// spelling of it (a host name, another interface).
	addr := opts.Addr
	for _, n := range v.Nodes {
		if n.Sample != nil && runID != "" && string(n.Sample.Server.RunID) == runID {
			addr = n.Addr
		}
	}
	if st, ok := cs.StateOf(addr); ok {
		target = &st
	}
	return target, merged, nil
}

// drainScan runs a scan to its end and folds its updates, with a progress
// line on stderr when it is a terminal.
func drainScan(ctx context.Context, run func(context.Context, chan<- model.Update) error, label string, stderr io.Writer) (*model.ScanState, error) {
	updates := make(chan model.Update, 16)
	errc := make(chan error, 1)
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		errc <- run(sctx, updates)
		close(updates)
	}()
	tty := isTerminal(stderr)
	st := &model.ScanState{}
	for u := range updates {
		if u.Scan == nil {
			continue
		}
		st.Apply(u.Scan)
		if tty {
			p := st.Progress
			fmt.Fprintf(stderr, "\r%s: %s of %s keys, %s keys/s  ", label, model.Count(float64(p.Scanned)), model.Count(float64(p.DBSize)), model.Count(p.KeysPerSec))
		}
	}
	if tty {
		fmt.Fprint(stderr, "\r\033[K")
	}
	if err := <-errc; err != nil {
		return nil, fmt.Errorf("scan: %w", err)
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("report: interrupted")
	}
	return st, nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}
