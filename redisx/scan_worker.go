package redisx

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/model"
)

// Defaults of the big-key worker.
const (
	// DefaultScanRate is the keys/s budget of the live UI and the report:
	// about 1–2 % of one server core on the bench dataset, and within the
	// +10 % p99 target of a concurrent GET/SET load (bench/README.md).
	// --scan-rate 0 (unlimited) is an explicit choice.
	DefaultScanRate    = 5000
	DefaultScanSamples = 5
	// serverDefaultSamples is MEMORY USAGE's own default.
	serverDefaultSamples = 5
	// DefaultScanCount is SCAN's COUNT when the rate is unlimited; with a
	// budget, batches are smaller (about 1/50 s of budget) so each round
	// trip holds the server only briefly.
	DefaultScanCount    = 1000
	defaultInflight     = 2
	defaultScanTimeout  = 10 * time.Second
	defaultScanInterval = 500 * time.Millisecond
	scanClientName      = "redis-memtop"
)

// ScanOptions configure the big-key worker. Zero values take the defaults.
type ScanOptions struct {
	// DBs are the databases to scan, in order: those INFO keyspace lists.
	// Empty means the client's own database.
	DBs []int
	// Rate is the keys/s budget; 0 means unlimited. Use DefaultScanRate for
	// the live UI.
	Rate int
	// Samples is MEMORY USAGE's SAMPLES (default 5). It is never 0: that
	// would walk every element of a big collection.
	Samples int
	// Count is SCAN's COUNT; 0 chooses it from the rate.
	Count int
	// Inflight is the number of batches inspected at once, each on its own
	// connection. By default 2 when the rate is unlimited, so the server
	// works on one while the worker reads the other and a slow link does not
	// starve the scan; 1 under a budget, so two batches never hold the
	// server back to back.
	Inflight int
	// Timeout bounds every round trip (default 10 s).
	Timeout time.Duration
	// Interval is the time between progress updates (default 500 ms).
	Interval time.Duration
	// Repeat starts a new pass this long after one completes (0: only on
	// Restart). A second pass shows which of the top keys grow.
	Repeat time.Duration
	// Once makes Run return after the first complete pass (the report).
	Once bool
	// ReadOnly sends READONLY first on every connection, so a cluster
	// replica answers for its master's keys instead of redirecting them
	// (ClusterScan sets it for the replicas it scans).
	ReadOnly bool
	// MaxFailures makes Run give up after that many failed attempts in a row
	// (the report: an incomplete section beats a hang); 0 retries for ever,
	// with back-off, as the live UI wants.
	MaxFailures int
	// StartDB and StartCursor resume a pass from a cursor a previous run
	// reported (ScanProgress.DB / Cursor). StartDB must be one of DBs.
	StartDB     int
	StartCursor uint64
	// Agg bounds the aggregation (top N, prefix delimiters and depth, node cap).
	Agg model.BigKeysConfig
	// SampleFraction (0–1, exclusive) makes the pass a sample: it stops each
	// database once that share of its keys (DBSIZE) has been scanned, so
	// every database is sampled alike and the totals can be estimated
	// (model.EstimateBigKeys). 0 scans every key.
	SampleFraction float64
}

func (o ScanOptions) withDefaults(base *redis.Options) ScanOptions {
	if len(o.DBs) == 0 {
		o.DBs = []int{base.DB}
	}
	o.Rate = max(o.Rate, 0)
	if o.Samples < 1 {
		o.Samples = DefaultScanSamples
	}
	o.Inflight = max(o.Inflight, 0)
	if o.Timeout <= 0 {
		o.Timeout = defaultScanTimeout
	}
	if o.Interval <= 0 {
		o.Interval = defaultScanInterval
	}
	o.Agg = o.Agg.WithDefaults()
	if o.SampleFraction < 0 || o.SampleFraction >= 1 {
		o.SampleFraction = 0
	}
	return o
}

// ScanDBs lists the databases worth scanning: those INFO keyspace shows
// with keys, in order. Nil when none (the worker then scans the client's
// own database).
func ScanDBs(keyspace []model.DBKeys) []int {
	var dbs []int
	for _, db := range keyspace {
		if n, ok := db.Keys.Get(); ok && n > 0 {
			dbs = append(dbs, db.DB)
		}
	}
	slices.Sort(dbs)
	return slices.Compact(dbs)
}

// countFor is SCAN's COUNT: 1000 when unlimited; under a budget about
// 1/200 s of it (10–100 keys), so each round trip holds the server for a few
// dozen commands only — what a concurrent client's p99 feels.
func countFor(explicit, rate int) int {
	if explicit > 0 {
		return explicit
	}
	if rate <= 0 {
		return DefaultScanCount
	}
	return min(max(rate/200, 10), maxBudgetCount)
}

// maxBudgetCount caps SCAN's COUNT under a budget.
const maxBudgetCount = 100

// inflight is the number of inspectors for an attempt.
func (w *ScanWorker) inflight() int {
	switch {
	case w.opts.Inflight > 0:
		return w.opts.Inflight
	case w.pace.Budget() > 0:
		return 1
	}
	return defaultInflight
}

// ScanWorker walks the keyspace in the background and aggregates what it
// finds into bounded big-key statistics (model.BigKeysAgg). It sends
// model.Update{Scan: …} values: progress every Interval, with a fresh
// snapshot when the aggregation changed.
//
// It is gentle: a keys/s budget, backing off when the scan makes other
// clients wait (a PING probe is slower while scanning than during short
// pauses of the scan: see harmGovernor), a quarter speed while a
// fork runs (SetForkRunning), CLIENT NO-TOUCH ON where the server has it
// (7.2+) so scanning leaves LRU/LFU and therefore eviction alone, and only
// metadata commands: never KEYS, DEBUG, a value, or SAMPLES 0.
//
// It uses its own connections (Inflight+1, named redis-memtop, dialled with
// the base client's dialer and credentials; see scan_resp.go for why and for
// the guard), so it never competes with the poller for the pool.
// Control methods are safe from any goroutine.
type ScanWorker struct {
	base  *redis.Client
	opts  ScanOptions
	pace  *pacer
	wake  chan struct{}
	pause atomic.Bool
	// restart counts Restart calls; Run compares it with what it has seen.
	restart atomic.Int64
	caps    inspectCaps
	noTouch atomic.Bool // the server has CLIENT NO-TOUCH (7.2+)
	// sent counts the commands the worker's connections have sent: the
	// scan's own share of the server's ops/s.
	sent atomic.Int64
	// noTTL lists the databases INFO keyspace says hold no key with a TTL
	// (expires=0): their keys get no TTL command. Written by the first
	// probe, before any inspector starts; read-only after.
	noTTL map[int]bool
}

// NewScanWorker makes a worker for the server behind base (a plain
// go-redis client, or Client.Raw()). Nothing is sent before Run.
func NewScanWorker(base *redis.Client, opts ScanOptions) *ScanWorker {
	opts = opts.withDefaults(base.Options())
	return &ScanWorker{
		base: base,
		opts: opts,
		pace: newPacer(opts.Rate),
		wake: make(chan struct{}, 1),
	}
}

// NewScanWorker is the worker for this client's server.
func (c *Client) NewScanWorker(opts ScanOptions) *ScanWorker {
	return NewScanWorker(c.rdb, opts)
}

func (w *ScanWorker) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// SetPaused pauses (true) or resumes the scan. A pause lets the batches in
// flight finish, so the cursor it keeps is exact.
func (w *ScanWorker) SetPaused(p bool) {
	w.pause.Store(p)
	w.poke()
}

// Paused reports whether the scan is paused.
func (w *ScanWorker) Paused() bool { return w.pause.Load() }

// TogglePause flips pause/resume and returns the new state (true = paused).
func (w *ScanWorker) TogglePause() bool {
	for {
		old := w.pause.Load()
		if w.pause.CompareAndSwap(old, !old) {
			w.poke()
			return !old
		}
	}
}

// Restart abandons the current pass and starts a new one from the first
// database (the last complete pass is kept to measure growth). It also
// resumes a paused worker.
func (w *ScanWorker) Restart() {
	w.pause.Store(false)
	w.restart.Add(1)
	w.poke()
}

// SetForkRunning tells the worker a fork child (BGSAVE, AOF rewrite) is
// running or has ended: while it runs, a budgeted scan goes at a quarter of
// its speed.
func (w *ScanWorker) SetForkRunning(on bool) { w.pace.SetFork(on) }

// SetRate changes the keys/s budget (0 = unlimited).
func (w *ScanWorker) SetRate(n int) { w.pace.SetBudget(n) }

// errRestart ends a pass that Restart abandoned.
var errRestart = errors.New("redisx: scan restarted")

// passState is what survives between the attempts of one pass (a pause, a
// lost connection): the aggregation and the resume point.
type passState struct {
	n        int
	agg      *model.BigKeysAgg
	dbIdx    int // index into opts.DBs
	cursor   uint64
	scanned  int64
	skipped  int64
	dbsize   int64
	sized    bool   // dbsize read (once per pass)
	runID    string // the server run the pass walks (its cursor means nothing on another)
	started  time.Time
	elapsed  time.Duration // scanning time of finished attempts
	done     time.Time
	dirty    bool // the aggregation changed since the last snapshot sent
	rate     rateMeter
	cmds     rateMeter // commands sent: the scan's ops/s
	restarts int64
	// lowest is the slowest the governor has made this pass, and why.
	lowest       float64
	lowestReason string
	// dbsizes is the DBSIZE of each of opts.DBs (read with dbsize);
	// dbTaken the keys folded from the current database (a sampling pass
	// stops each at its share).
	dbsizes []int64
	dbTaken int64
}

// Run scans until ctx is done (or, with Once, until one pass completes) and
// returns nil then; it returns an error only when the worker cannot start.
// Updates go to out; a send blocks until it is received or ctx is done.
func (w *ScanWorker) Run(ctx context.Context, out chan<- model.Update) error {
	opts := w.base.Options()
	var prev *model.BigKeys
	pass := 0
	for {
		pass++
		st := &passState{
			n:        pass,
			agg:      model.NewBigKeysAgg(w.opts.Agg, prev),
			restarts: w.restart.Load(),
		}
		if pass == 1 {
			st.dbIdx, st.cursor = w.startPoint()
		}
		up := &model.ScanUpdate{Progress: w.progress(st, model.ScanScanning, ""), Prev: prev}
		if !send(ctx, out, model.Update{Scan: up}) {
			return nil
		}
		switch w.runPass(ctx, opts, st, out) {
		case passStopped:
			return nil
		case passRestarted:
			continue // a new pass, same previous
		case passComplete:
		}
		prev = st.agg.Snapshot()
		if w.opts.Once {
			return nil
		}
		if !w.waitNextPass(ctx, opts, st, out) {
			return nil
		}
	}
}

// startPoint is where the first pass starts (the options' resume point).
func (w *ScanWorker) startPoint() (int, uint64) {
	for i, db := range w.opts.DBs {
		if db == w.opts.StartDB {
			return i, w.opts.StartCursor
		}
	}
	return 0, 0
}

// keyspaceCheck is how often a finished pass looks at DBSIZE while it
// waits for the next one.
const keyspaceCheck = 5 * time.Second

// keyspaceOutgrew reports a keyspace that has changed too much for the last
// pass to stand for it: at least twice the keys it sized or at most half,
// and by 1,000 keys. A pass over a server that was still loading (a demo, a
// restart) would otherwise show a few keys as the whole picture until the
// repeat timer, and one before a FLUSHALL keys that are gone.
func keyspaceOutgrew(passed, now int64) bool {
	if now >= passed {
		return now >= 2*passed && now-passed >= 1000
	}
	return 2*now <= passed && passed-now >= 1000
}

// waitNextPass sits in the done state until Restart, the repeat timer, a
// keyspace that outgrew the pass (keyspaceOutgrew) or ctx. It returns false
// when ctx is done.
func (w *ScanWorker) waitNextPass(ctx context.Context, opts *redis.Options, st *passState, out chan<- model.Update) bool {
	var timer <-chan time.Time
	if w.opts.Repeat > 0 {
		t := time.NewTimer(w.opts.Repeat)
		defer t.Stop()
		timer = t.C
	}
	var check <-chan time.Time
	var kc *respConn // the keyspace check's connection, kept while waiting
	defer func() {
		if kc != nil {
			_ = kc.Close()
		}
	}()
	if w.opts.Repeat > 0 && st.sized && w.opts.SampleFraction <= 0 {
		t := time.NewTicker(keyspaceCheck)
		defer t.Stop()
		check = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return false
		case <-timer:
			return true
		case <-check:
			n, err := w.keyspaceSize(ctx, opts, &kc)
			if err == nil && keyspaceOutgrew(st.dbsize, n) {
				return true
			}
		case <-w.wake:
			if w.restart.Load() != st.restarts {
				return true
			}
			// A pause request while done changes nothing, but the UI
			// should see that it was heard.
			up := &model.ScanUpdate{Progress: w.progress(st, model.ScanDone, "")}
			if !send(ctx, out, model.Update{Scan: up}) {
				return false
			}
		}
	}
}

// keyspaceSize is DBSIZE summed over the databases the worker scans, on a
// connection of its own (*c, dialled on first use and kept; closed and
// cleared on an error). SELECT and DBSIZE only: no key is read.
func (w *ScanWorker) keyspaceSize(ctx context.Context, opts *redis.Options, c **respConn) (int64, error) {
	if *c == nil {
		nc, err := dialResp(ctx, opts, w.opts.Timeout)
		if err != nil {
			return 0, err
		}
		*c = nc
	}
	n, err := dbsizeSum(ctx, *c, w.opts.DBs, w.opts.Timeout)
	if err != nil {
		_ = (*c).Close()
		*c = nil
	}
	return n, err
}

// dbsizeSum sends SELECT (where needed) and DBSIZE for each of dbs and adds
// the sizes up.
func dbsizeSum(ctx context.Context, c *respConn, dbs []int, timeout time.Duration) (int64, error) {
	c.deadline(ctx, timeout)
	selected := writeDBSizes(c, dbs)
	if err := c.flush(); err != nil {
		return 0, err
	}
	sizes, err := readDBSizes(c, dbs, selected)
	var total int64
	for _, n := range sizes {
		total += n
	}
	return total, err
}

// writeDBSizes writes SELECT (where needed) and DBSIZE for each database;
// it returns which ones were selected, for readDBSizes.
func writeDBSizes(c *respConn, dbs []int) []bool {
	selected := make([]bool, len(dbs))
	for i, db := range dbs {
		selected[i] = c.selectDB(db)
		c.write("dbsize")
	}
	return selected
}

// readDBSizes reads the replies writeDBSizes asked for.
func readDBSizes(c *respConn, dbs []int, selected []bool) ([]int64, error) {
	sizes := make([]int64, len(dbs))
	for i, db := range dbs {
		if selected[i] {
			if _, _, err := c.readSimple(); err != nil {
				return nil, fmt.Errorf("redisx: scan: SELECT %d: %w", db, err)
			}
		}
		_, n, err := c.readSimple()
		if _, _, fatal := reply(err); fatal != nil {
			return nil, fatal
		}
		sizes[i] = n
	}
	return sizes, nil
}

// runPass runs one pass to its end, across pauses and lost connections. It
// returns true when the pass completed, false when it was restarted or ctx
// ended.
func (w *ScanWorker) runPass(ctx context.Context, opts *redis.Options, st *passState, out chan<- model.Update) passOutcome {
	st.started = time.Now()
	attempt := 0
	for {
		if w.restart.Load() != st.restarts {
			return passRestarted
		}
		if w.pause.Load() {
			if !w.waitResume(ctx, st, out) {
				return passStopped
			}
			continue
		}
		begin := time.Now()
		err := w.attempt(ctx, opts, st, out)
		st.elapsed += time.Since(begin)
		switch {
		case ctx.Err() != nil:
			return passStopped
		case err == nil && st.dbIdx >= len(w.opts.DBs):
			st.done = time.Now()
			up := &model.ScanUpdate{Progress: w.progress(st, model.ScanDone, ""), Result: st.agg.Snapshot()}
			st.dirty = false
			if !send(ctx, out, model.Update{Scan: up}) {
				return passStopped
			}
			return passComplete
		case errors.Is(err, errRestart), errors.Is(err, errServerRestarted):
			return passRestarted
		case err == nil:
			attempt = 0 // paused: loop to wait
		default:
			attempt++
			desc := Describe(err, w.base.Options().Password)
			up := &model.ScanUpdate{Progress: w.progress(st, model.ScanFailed, desc)}
			giveUp := w.opts.MaxFailures > 0 && attempt >= w.opts.MaxFailures
			wait := backoff(attempt)
			if !giveUp {
				up.Progress.RetryAt = time.Now().Add(wait)
			}
			if st.dirty {
				up.Result = st.agg.Snapshot()
				st.dirty = false
			}
			if !send(ctx, out, model.Update{Scan: up}) {
				return passStopped
			}
			if giveUp {
				return passStopped
			}
			if !sleep(ctx, wait) {
				return passStopped
			}
		}
	}
}

// passOutcome is how a pass ended.
type passOutcome int

const (
	passComplete  passOutcome = iota // every database scanned
	passRestarted                    // Restart abandoned it
	passStopped                      // ctx ended, or MaxFailures was reached
)

// waitResume sends the paused state and waits for a resume, a restart or ctx.
func (w *ScanWorker) waitResume(ctx context.Context, st *passState, out chan<- model.Update) bool {
	up := &model.ScanUpdate{Progress: w.progress(st, model.ScanPaused, "")}
	if st.dirty {
		up.Result = st.agg.Snapshot()
		st.dirty = false
	}
	if !send(ctx, out, model.Update{Scan: up}) {
		return false
	}
	for w.pause.Load() && w.restart.Load() == st.restarts {
		select {
		case <-ctx.Done():
			return false
		case <-w.wake:
		}
	}
	return true
}

// progress describes the pass for the UI.
func (w *ScanWorker) progress(st *passState, phase model.ScanPhase, errText string) model.ScanProgress {
	db := 0
	if st.dbIdx < len(w.opts.DBs) {
		db = w.opts.DBs[st.dbIdx]
	} else if len(w.opts.DBs) > 0 {
		db = w.opts.DBs[len(w.opts.DBs)-1]
	}
	p := model.ScanProgress{
		Phase:      phase,
		Pass:       st.n,
		Scanned:    st.scanned,
		Skipped:    st.skipped,
		DBSize:     st.dbsize,
		KeysPerSec: st.rate.perSecond(),
		OpsPerSec:  st.cmds.perSecond(),
		StartedAt:  st.started,
		DoneAt:     st.done,
		Elapsed:    st.elapsed,
		DB:         db,
		Cursor:     st.cursor,
		DBs:        append([]int(nil), w.opts.DBs...),
		Rate:       w.pace.Budget(),
		Samples:    w.opts.Samples,
		Method:     "pipeline",
		Notes:      w.caps.Notes(),
		Err:        errText,
	}
	w.governorFacts(st, &p)
	p.SampleFraction = w.opts.SampleFraction
	if phase != model.ScanScanning {
		p.KeysPerSec, p.OpsPerSec = 0, 0
		if phase == model.ScanDone && st.elapsed > 0 {
			p.KeysPerSec = float64(st.scanned) / st.elapsed.Seconds()
		}
	}
	return p
}

// governorFacts fills the progress's throttle fields from the pacer, and
// keeps the pass's slowest moment (what the report tells).
func (w *ScanWorker) governorFacts(st *passState, p *model.ScanProgress) {
	g := w.pace.State()
	p.Throttle = g.Factor
	if g.Factor < 1 && g.Reason != "" {
		p.SlowFactor, p.SlowReason = g.Factor, g.Reason
		if st.lowest == 0 || g.Factor < st.lowest {
			st.lowest, st.lowestReason = g.Factor, g.Reason
		}
	}
	p.LowestFactor, p.LowestReason = st.lowest, st.lowestReason
	if g.Measured {
		p.ProbeOnMicros = float64(g.ProbeOn) / float64(time.Microsecond)
		p.ProbeOffMicros = float64(g.ProbeOff) / float64(time.Microsecond)
		p.LatencyRise = g.LatencyRise
	}
}

// harmProbe times a PING on a connection of its own every probeEvery while a
// budgeted scan runs, and feeds the harm governor (scan_throttle.go). It
// dials when first needed (the budget can be set while scanning) and gives
// up quietly on an error: the governor then holds its factor.
func (w *ScanWorker) harmProbe(ctx context.Context, opts *redis.Options) {
	var conn atomic.Pointer[respConn]
	closeConn := func() {
		if c := conn.Swap(nil); c != nil {
			_ = c.Close()
		}
	}
	defer closeConn()
	// A blocked read ends at once when the attempt ends.
	defer context.AfterFunc(ctx, closeConn)()
	var c *respConn
	tick := time.NewTicker(probeEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if w.pace.Budget() <= 0 {
			continue
		}
		if c == nil {
			nc, err := dialResp(ctx, opts, w.opts.Timeout)
			if err != nil {
				return
			}
			c = nc
			conn.Store(c)
			if ctx.Err() != nil {
				return
			}
		}
		c.deadline(ctx, w.opts.Timeout)
		start := time.Now()
		c.write("ping")
		if err := c.flush(); err != nil {
			return
		}
		if _, _, err := c.readSimple(); err != nil {
			return
		}
		now := time.Now()
		w.pace.Probe(now, now.Sub(start))
	}
}

// attempt scans from the pass's resume point until the pass completes, a
// pause has drained the batches in flight (nil, dbIdx not past the end), a
// restart (errRestart) or an error. Results are folded in SCAN order, so on
// any stop the resume point is exact and nothing is counted twice.
func (w *ScanWorker) attempt(ctx context.Context, opts *redis.Options, st *passState, out chan<- model.Update) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	scanConn, err := dialResp(ctx, opts, w.opts.Timeout)
	if err != nil {
		return err
	}
	scanConn.sent = &w.sent
	defer func() { _ = scanConn.Close() }()
	// A cancelled attempt (stop, a node that left the cluster) must not
	// wait out a round trip to a server that does not answer: closing the
	// connection ends a blocked read at once.
	defer context.AfterFunc(ctx, func() { _ = scanConn.Close() })()
	if err := w.prepare(ctx, scanConn, st, out); err != nil {
		return err
	}
	inspectors := make([]*inspector, w.inflight())
	// SAMPLES 5 is what MEMORY USAGE does without the argument (every
	// version since 4.0, OBJ_COMPUTE_SIZE_DEF_SAMPLES): two arguments fewer
	// a key is measurably less work for the server.
	samples := ""
	if w.opts.Samples != serverDefaultSamples {
		samples = strconv.Itoa(w.opts.Samples)
	}
	for i := range inspectors {
		c, err := dialResp(ctx, opts, w.opts.Timeout)
		if err != nil {
			return err
		}
		c.sent = &w.sent
		defer func() { _ = c.Close() }()
		defer context.AfterFunc(ctx, func() { _ = c.Close() })()
		if err := w.setupConn(ctx, c); err != nil {
			return err
		}
		inspectors[i] = &inspector{conn: c, caps: &w.caps, samples: samples, timeout: w.opts.Timeout, noTTL: w.noTTL}
	}

	go w.harmProbe(ctx, opts)

	batches := make(chan *batch, len(inspectors))
	results := make(chan batchResult, len(inspectors))
	var wg sync.WaitGroup
	var scanErr error
	// The resume point is read here, before fold starts moving it.
	from := scanStart{dbIdx: st.dbIdx, cursor: st.cursor, restarts: st.restarts, taken: st.dbTaken, dbsizes: st.dbsizes}
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(batches)
		scanErr = w.produce(ctx, scanConn, from, batches)
	}()
	var iwg sync.WaitGroup
	for _, in := range inspectors {
		iwg.Add(1)
		go func() {
			defer iwg.Done()
			for b := range batches {
				r := in.inspect(ctx, b)
				select {
				case results <- r:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { iwg.Wait(); close(results) }()

	ferr := w.fold(ctx, st, results, out)
	cancel()
	for range results { // drain so the inspectors can exit
	}
	wg.Wait()
	switch {
	case ferr != nil:
		return ferr
	case scanErr != nil && !errors.Is(scanErr, context.Canceled):
		return scanErr
	}
	return nil
}

// fold folds results in SCAN order and sends progress every Interval.
func (w *ScanWorker) fold(ctx context.Context, st *passState, results <-chan batchResult, out chan<- model.Update) error {
	tick := time.NewTicker(w.opts.Interval)
	defer tick.Stop()
	pending := map[uint64]batchResult{}
	var next uint64
	attemptStart := time.Now()
	st.rate.reset(attemptStart, st.scanned)
	st.cmds.reset(attemptStart, w.sent.Load())
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			now := time.Now()
			st.rate.add(now, st.scanned)
			st.cmds.add(now, w.sent.Load())
			up := &model.ScanUpdate{Progress: w.progress(st, model.ScanScanning, "")}
			up.Progress.Elapsed += now.Sub(attemptStart)
			if st.dirty {
				up.Result = st.agg.Snapshot()
				st.dirty = false
			}
			if !send(ctx, out, model.Update{Scan: up}) {
				return nil
			}
		case r, ok := <-results:
			if !ok {
				return nil
			}
			if r.err != nil {
				return r.err
			}
			pending[r.b.seq] = r
			for {
				r, ok := pending[next]
				if !ok {
					break
				}
				delete(pending, next)
				next++
				for i := range r.keys {
					st.agg.Add(&r.keys[i])
				}
				st.scanned += int64(len(r.b.keys))
				st.skipped += int64(r.skipped)
				st.dirty = true
				st.cursor = r.b.next
				st.dbTaken += int64(len(r.b.keys))
				if r.b.next == 0 {
					st.dbIdx++
					st.dbTaken = 0
				}
			}
		}
	}
}

// produce runs SCAN ahead of the inspectors, within the budget, from the
// pass's resume point (its db index and cursor). It stops at the end of the
// last database, on pause (after the batch it has), on restart, or on error.
// A sampling pass ends each database at its share of the keys: the batch
// that reaches it is sent as the database's last (next cursor 0).
func (w *ScanWorker) produce(ctx context.Context, conn *respConn, from scanStart, batches chan<- *batch) error {
	var seq uint64
	dbIdx, cursor, restarts, taken := from.dbIdx, from.cursor, from.restarts, from.taken
	for ; dbIdx < len(w.opts.DBs); dbIdx++ {
		limit := w.sampleLimit(from.dbsizes, dbIdx)
		db := w.opts.DBs[dbIdx]
		if conn.selectDB(db) {
			conn.deadline(ctx, w.opts.Timeout)
			if err := conn.flush(); err != nil {
				return err
			}
			if _, _, err := conn.readSimple(); err != nil {
				return fmt.Errorf("redisx: scan: SELECT %d: %w", db, err)
			}
		}
		for {
			if w.pause.Load() {
				return nil
			}
			if w.restart.Load() != restarts {
				return errRestart
			}
			if err := w.pace.Hold(ctx); err != nil {
				return err
			}
			count := countFor(w.opts.Count, w.pace.Budget())
			if limit > 0 {
				// A sample stops near its share, not a whole batch past it.
				count = int(min(int64(count), max(limit-taken, 10)))
			}
			conn.deadline(ctx, w.opts.Timeout)
			conn.write("scan", strconv.FormatUint(cursor, 10), "count", strconv.Itoa(count))
			if err := conn.flush(); err != nil {
				return err
			}
			next, keys, err := conn.readScan()
			if err != nil {
				return fmt.Errorf("redisx: scan: SCAN: %w", err)
			}
			if err := w.pace.Wait(ctx, len(keys)); err != nil {
				return err
			}
			taken += int64(len(keys))
			if limit > 0 && taken >= limit {
				next = 0 // the sample of this database is taken
			}
			b := &batch{seq: seq, db: db, cursor: cursor, next: next, keys: keys}
			seq++
			select {
			case batches <- b:
			case <-ctx.Done():
				return ctx.Err() //nolint:wrapcheck // context errors are compared, not shown
			}
			cursor = next
			if next == 0 {
				break
			}
		}
		cursor, taken = 0, 0
	}
	return nil
}

// scanStart is where produce starts: the pass's resume point, and for a
// sampling pass the keys already taken from that database and the sizes.
type scanStart struct {
	dbIdx    int
	cursor   uint64
	restarts int64
	taken    int64
	dbsizes  []int64
}

// sampleLimit is the number of keys a sampling pass takes from the database
// at index i (0: every key).
func (w *ScanWorker) sampleLimit(dbsizes []int64, i int) int64 {
	if w.opts.SampleFraction <= 0 || i >= len(dbsizes) {
		return 0
	}
	return max(int64(math.Ceil(w.opts.SampleFraction*float64(dbsizes[i]))), 1)
}

// setupConn names a connection and, where the server has it, turns on
// CLIENT NO-TOUCH; with ReadOnly it sends READONLY first. Refusals are fine
// (an ACL user without +client; READONLY on a server without cluster mode).
func (w *ScanWorker) setupConn(ctx context.Context, c *respConn) error {
	c.deadline(ctx, w.opts.Timeout)
	n := 1
	if w.opts.ReadOnly {
		c.write("readonly")
		n++
	}
	c.write("client", "setname", scanClientName)
	if w.noTouch.Load() {
		c.write("client", "no-touch", "on")
		n++
	}
	if err := c.flush(); err != nil {
		return err
	}
	for range n {
		if _, _, err := c.readSimple(); err != nil && !isServerReply(err) {
			return err
		}
	}
	return nil
}
