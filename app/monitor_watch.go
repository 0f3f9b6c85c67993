package app

import (
	"context"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
)

// watchTopKeys runs the scan with the re-measure of its top keys beside it
// (issue 17): the scan's updates pass by the KeyWatcher on their way to the
// UI, which takes its keys from the last complete pass — the keys it
// follows stay the same while the next pass fills — or, before the first
// pass ends, from the pass so far.
func (m *Monitor) watchTopKeys(ctx context.Context, c *redisx.Client, sc ScanConfig, scan scanner, updates chan<- model.Update) {
	w := c.NewKeyWatcher(redisx.WatchOptions{Interval: sc.WatchEvery, Samples: sc.Samples})
	scanned := make(chan model.Update, 16)
	m.produce(func() {
		defer close(scanned)
		_ = scan.Run(ctx, scanned)
	})
	var complete *model.BigKeys
	m.produce(func() {
		relay(ctx, scanned, updates, func(u model.Update) (model.Update, bool) {
			if s := u.Scan; s != nil {
				switch {
				case s.Prev != nil:
					complete = s.Prev
				case s.Result != nil && s.Progress.Phase == model.ScanDone:
					complete = s.Result
				}
				switch {
				case complete != nil:
					w.SetKeys(complete)
				case s.Result != nil:
					w.SetKeys(s.Result)
				}
			}
			return u, true
		})
	})
	m.produce(func() { _ = w.Run(ctx, updates) })
}
