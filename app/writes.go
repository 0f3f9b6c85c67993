package app

import (
	"context"
	"errors"
	"sync"
	"time"

	"charm.land/bubbles/v2/key"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// writeKeys are the keys of the write actions (upper case: no pane uses them,
// and a slip of the finger on a lower-case key cannot start one).
var writeKeys = []struct {
	key    string
	action redisx.WriteAction
}{
	{"B", redisx.ActionBGSave},
	{"A", redisx.ActionBGRewriteAOF},
	{"P", redisx.ActionMemoryPurge},
	{"D", redisx.ActionActiveDefragOn},
	{"O", redisx.ActionActiveDefragNo},
}

// WriteLog keeps the write actions run in this session, for the report.
type WriteLog struct {
	mu   sync.Mutex
	list []model.ActionLog
}

func (l *WriteLog) add(e model.ActionLog) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.list = append(l.list, e)
}

// All is every action logged, oldest first.
func (l *WriteLog) All() []model.ActionLog {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]model.ActionLog(nil), l.list...)
}

// Wrap makes an exporter's reports carry the actions taken.
func (l *WriteLog) Wrap(ex *ui.Exporter) *ui.Exporter {
	if ex == nil || ex.Build == nil {
		return ex
	}
	out := *ex
	build := ex.Build
	out.Build = func(d *ui.Data) model.Report {
		rep := build(d)
		rep.Actions = l.All()
		return rep
	}
	return &out
}

// WriteActions are the UI keys of the write actions. Without --allow-writes
// each key only says the flag is needed; with it, each opens the typed
// confirmation, and a confirmed action is sent through the guard (with the
// command timeout, off the UI goroutine) and logged.
func WriteActions(ctx context.Context, c *redisx.Client, log *WriteLog, now func() time.Time) []ui.Action {
	return writeActionsOn(ctx, func() *redisx.Client { return c }, log, now)
}

// writeActionsOn is WriteActions sending each confirmed action to the
// master master() names when it runs (after a Sentinel failover, the new
// one). Every master has the first one's options, --allow-writes included.
func writeActionsOn(ctx context.Context, master func() *redisx.Client, log *WriteLog, now func() time.Time) []ui.Action {
	allowed := master().Options().AllowWrites
	out := make([]ui.Action, 0, len(writeKeys))
	for _, wk := range writeKeys {
		a := wk.action
		act := ui.Action{
			Group: "Write actions (--allow-writes, typed confirmation)",
			Key:   key.NewBinding(key.WithKeys(wk.key), key.WithHelp(wk.key, a.Command())),
		}
		if !allowed {
			act.Do = func() string { return string(a) + " needs --allow-writes: redis-memtop is read-only by default" }
			out = append(out, act)
			continue
		}
		act.Confirm = &ui.Confirm{
			Word:    string(a),
			What:    a.Describe(),
			Command: a.Command(),
			Run: func() string {
				c := master()
				reply, err := c.RunWrite(ctx, a)
				e := model.ActionLog{Time: now().UTC(), Action: string(a), Command: a.Command(), OK: err == nil, Result: reply, Server: c.Options().Addr}
				if err != nil {
					e.Result = err.Error()
					var we *redisx.WriteError
					if errors.As(err, &we) {
						e.Result = we.Reason
					}
				}
				log.add(e)
				if err != nil {
					return err.Error()
				}
				return string(a) + ": " + reply
			},
		}
		out = append(out, act)
	}
	return out
}
