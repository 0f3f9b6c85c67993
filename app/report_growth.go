package app

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
)

// reportGrowth is report --growth-wait (issue 17): a report scans once and
// so never sees a key grow. After the pass it re-measures the top keys at
// once and again after the wait, like the live monitor's re-measure
// between passes, and keeps the second round in the scan state: the
// big-keys section lists it, and the checklist and the verdict weigh the
// keys it flags.
func reportGrowth(ctx context.Context, c *redisx.Client, st *model.ScanState, sf ScanConfig, stderr io.Writer) error {
	w := c.NewKeyWatcher(redisx.WatchOptions{Samples: sf.Samples, Keys: model.DefaultWatchKeys})
	defer w.Close()
	w.SetKeys(st.Best())
	if _, err := w.Measure(ctx); err != nil {
		return fmt.Errorf("report: re-measure of the top keys: %w", err)
	}
	tty := isTerminal(stderr)
	if tty {
		fmt.Fprintf(stderr, "\rwaiting %s to re-measure the top keys (--growth-wait)  ", model.Duration(sf.GrowthWait))
	}
	t := time.NewTimer(sf.GrowthWait)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return fmt.Errorf("report: interrupted")
	}
	if tty {
		fmt.Fprint(stderr, "\r\033[K")
	}
	g, err := w.Measure(ctx)
	if err != nil {
		return fmt.Errorf("report: re-measure of the top keys: %w", err)
	}
	st.ApplyWatch(g)
	return nil
}
