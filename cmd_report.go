package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/charmbracelet/x/term"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
)

type reportFlags struct {
	conn     connFlags
	scan     scanFlags
	format   string
	output   string
	interval time.Duration
}

// newReportFlagSet is report's command line, shared by runReport and the
// man page and completions (cmd_docs.go).
func newReportFlagSet(stderr io.Writer, f *reportFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("redis-memtop report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f.conn.register(fs)
	f.scan.register(fs, false, 0)
	fs.StringVar(&f.format, "format", "markdown", "output `format`: markdown or json")
	fs.StringVar(&f.output, "o", "", "write the report to `file` instead of standard output")
	fs.DurationVar(&f.interval, "interval", time.Second, "time between the two samples (rates need two)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: redis-memtop report [flags] [URI]\n\nConnects, takes two samples one interval apart, prints an incident report and exits.\n"+
			"On a Redis Cluster (-c, or a cluster node as the target) --scan covers every master and the big keys\n"+
			"name the node each key lives on; --scan-replicas scans one replica of each master instead.\n\n")
		fs.PrintDefaults()
	}
	return fs
}

func runReport(args []string, stdin *os.File, stdout, stderr io.Writer) error {
	var f reportFlags
	fs := newReportFlagSet(stderr, &f)
	uri, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := checkFormat(f.format); err != nil {
		return err
	}
	if err := f.scan.validate(); err != nil {
		return err
	}
	opts, err := f.conn.options(fs, uri, stdin, stderr)
	if err != nil {
		return err
	}
	st, err := f.conn.sentinel(opts)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	if st != nil {
		// The report is a snapshot: the master is resolved once.
		if opts, err = st.resolve(ctx, opts); err != nil {
			return err
		}
	}

	rep, err := collectReport(ctx, opts, f.interval, f.scan, f.conn.cluster, stderr)
	if err != nil {
		return err
	}
	if f.conn.cluster || rep.Target.Mode == redisx.ModeCluster {
		if rep.Cluster, err = collectCluster(ctx, opts, f.interval); err != nil {
			return err
		}
		rep.Notes = append(rep.Notes, "the cluster section covers every node; the figures above are the target node's")
	}
	return emitReport(stdout, f.output, rep, f.format)
}

// collectReport connects, takes two samples one interval apart plus the
// extras, and builds the report. With the scan, a cluster's (cluster, or
// the target says so) covers every master, or a replica of each.
func collectReport(ctx context.Context, opts redisx.Options, interval time.Duration, sf scanFlags, cluster bool, stderr io.Writer) (model.Report, error) {
	c, err := redisx.Connect(ctx, opts)
	if err != nil {
		return model.Report{}, err //nolint:wrapcheck // a ConnectError is already one clear line
	}
	defer func() { _ = c.Close() }()

	hist := model.NewHistory(8)
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
	// Two good samples and the extras, or give up after a few intervals and
	// report what there is.
	deadline := time.After(interval*3 + 2*opts.CommandTimeout + time.Second)
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
			case u.Extras != nil:
				extras = u.Extras
			}
			if ok := countOK(hist); ok >= 2 && extras != nil {
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
	if hist.LastOK() == nil {
		return model.Report{}, fmt.Errorf("report: no sample could be read: %s", gapErr)
	}
	in := model.ReportInput{
		Now:    hist.Last().Time,
		Target: model.ReportTarget{Addr: opts.Redacted(), DB: opts.DB, Mode: c.Mode()},
		Hist:   hist,
		Extras: extras,
	}
	var notes []string
	if info, err := c.ReadInfoAll(ctx); err == nil {
		in.Info = info.ReportSections()
	} else {
		notes = append(notes, "the full INFO could not be read: "+redisx.Describe(err, opts.Password))
	}
	cluster = cluster || redisx.IsCluster(c)
	if sf.replicas && !cluster {
		return model.Report{}, usagef("--scan-replicas needs a Redis Cluster: %s is not a cluster node", opts.Redacted())
	}
	var merged *model.ScanState
	if sf.enabled() {
		var err error
		if cluster {
			runID, _ := c.FirstInfo().Get("run_id")
			in.Scan, merged, err = clusterFullScan(ctx, opts, strings.TrimSpace(runID), sf, stderr)
		} else {
			in.Scan, err = fullScan(ctx, c, sf, stderr)
		}
		if err != nil {
			return model.Report{}, err
		}
	}
	rep := model.BuildReport(in)
	if merged != nil {
		bk := merged.Report()
		rep.BigKeys = &bk
	}
	rep.Notes = append(rep.Notes, c.Notes()...)
	rep.Notes = append(rep.Notes, notes...)
	return rep, nil
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
	last := views[len(views)-1]
	reports := make([]model.Report, len(last.Nodes))
	var wg sync.WaitGroup
	for i, n := range last.Nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var ex *model.Extras
			if c := m.Client(n.Addr); c != nil && n.Err == "" {
				e := c.ReadExtras(ctx, last.Time)
				ex = &e
			}
			reports[i] = model.BuildReport(model.ReportInput{
				Now:    last.Time,
				Target: model.ReportTarget{Addr: n.Addr, DB: opts.DB, Mode: redisx.ModeCluster},
				Hist:   hists[n.Addr],
				Extras: ex,
			})
		}()
	}
	wg.Wait()
	cr := model.BuildClusterReport(model.ClusterReportInput{Views: views, NodeReports: reports})
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

// reportScanOptions are the report's scan: one pass, honouring --scan-rate
// and --samples; MaxFailures, so a server that dies mid-scan ends the report
// instead of hanging it.
func reportScanOptions(sf scanFlags) redisx.ScanOptions {
	return redisx.ScanOptions{Rate: sf.rate, Samples: sf.samples, Once: true, MaxFailures: 3}
}

// fullScan runs one complete big-key pass, with a progress line on stderr
// when it is a terminal.
func fullScan(ctx context.Context, c *redisx.Client, sf scanFlags, stderr io.Writer) (*model.ScanState, error) {
	o := reportScanOptions(sf)
	o.DBs = scanDBs(c)
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
func clusterFullScan(ctx context.Context, opts redisx.Options, runID string, sf scanFlags, stderr io.Writer) (target, merged *model.ScanState, err error) {
	m := redisx.NewClusterMonitor(opts, redisx.ClusterOptions{})
	defer func() { _ = m.Close() }()
	v, err := m.Poll(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("report: cluster scan: %s", redisx.Describe(err, opts.Password))
	}
	cs := redisx.NewClusterScan(m, redisx.ClusterScanOptions{Scan: reportScanOptions(sf), Replicas: sf.replicas})
	cs.SetView(v)
	nodes := cs.Nodes()
	merged, err = drainScan(ctx, cs.Run, "scanning "+strconv.Itoa(len(nodes))+" nodes", stderr)
	if err != nil {
		return nil, nil, err
	}
	which := "every master"
	if sf.replicas {
		which = "a replica of each master (--scan-replicas)"
	}
	merged.Progress.Notes = append(merged.Progress.Notes, "the big keys cover the whole cluster, scanned on "+which+": "+
		strings.Join(nodes, ", ")+"; the target's checklist weighs only its own keys")
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
