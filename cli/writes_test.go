package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/app"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// uiStep feeds one message to the root model.
func uiStep(t *testing.T, m ui.Model, msg tea.Msg) (ui.Model, tea.Cmd) {
	t.Helper()
	nm, cmd := m.Update(msg)
	out, ok := nm.(ui.Model)
	if !ok {
		t.Fatalf("Update returned %T", nm)
	}
	return out, cmd
}

func uiType(t *testing.T, m ui.Model, s string) ui.Model {
	t.Helper()
	for _, r := range s {
		m, _ = uiStep(t, m, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return m
}

// TestWriteActionThroughTheOverlay: with --allow-writes, B opens the typed
// confirmation; a wrong word sends nothing; BGSAVE typed and entered runs a
// real BGSAVE (seen by the server), is logged, and the exported report
// (JSON and Markdown) lists it. Without --allow-writes, B only says the
// flag is needed and the server sees nothing.
func TestWriteActionThroughTheOverlay(t *testing.T) {
	srv := redistest.StartServer(t)
	plain := demo.NewClient(srv.Addr)
	defer func() { _ = plain.Close() }()
	ctx := t.Context()
	if err := plain.ConfigResetStat(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	connect := func(writes bool) *redisx.Client {
		o := redisx.DefaultOptions()
		o.Addr, o.AllowWrites = srv.Addr, writes
		c, err := redisx.Connect(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	sizeMsg := tea.WindowSizeMsg{Width: 120, Height: 40}

	// Read-only: the key answers, nothing is sent.
	ro := connect(false)
	var roLog app.WriteLog
	m := ui.New(ui.Options{Target: srv.Addr, Actions: app.WriteActions(ctx, ro, &roLog, time.Now)})
	m, _ = uiStep(t, m, sizeMsg)
	m, cmd := uiStep(t, m, tea.KeyPressMsg{Code: 'B', Text: "B"})
	if cmd != nil || m.ConfirmShown() != "" || !strings.Contains(ansi.Strip(m.View().Content), "needs --allow-writes") {
		t.Fatalf("B without --allow-writes: cmd %v, overlay %q\n%s", cmd != nil, m.ConfirmShown(), ansi.Strip(m.View().Content))
	}

	// --allow-writes.
	rw := connect(true)
	var log app.WriteLog
	m = ui.New(ui.Options{Target: srv.Addr, Actions: app.WriteActions(ctx, rw, &log, time.Now)})
	m, _ = uiStep(t, m, sizeMsg)
	m, _ = uiStep(t, m, tea.KeyPressMsg{Code: 'B', Text: "B"})
	if m.ConfirmShown() != "BGSAVE" {
		t.Fatalf("overlay = %q", m.ConfirmShown())
	}
	m = uiType(t, m, "BGREWRITEAOF")
	if m, cmd = uiStep(t, m, tea.KeyPressMsg{Code: tea.KeyEnter}); cmd != nil {
		t.Fatal("a wrong word returned a command")
	}
	m, _ = uiStep(t, m, tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
	m = uiType(t, m, "BGSAVE")
	m, cmd = uiStep(t, m, tea.KeyPressMsg{Code: tea.KeyEnter})
	if cmd == nil {
		t.Fatal("BGSAVE typed: no command")
	}
	if n := commandCalls(t, srv.Addr, "bgsave"); n != 0 {
		t.Fatalf("BGSAVE sent before its command ran (%v)", n)
	}
	m, _ = uiStep(t, m, cmd())
	if !strings.Contains(ansi.Strip(m.View().Content), "BGSAVE: Background saving started") {
		t.Errorf("status line:\n%s", ansi.Strip(m.View().Content))
	}
	stats := commandStatsMain(t, srv.Addr)
	if stats["bgsave"] != 1 || stats["bgrewriteaof"] != 0 {
		t.Errorf("server saw bgsave %v, bgrewriteaof %v", stats["bgsave"], stats["bgrewriteaof"])
	}

	// A second BGSAVE while one may still run either starts or is refused:
	// either way it is logged with its result.
	m, _ = uiStep(t, m, tea.KeyPressMsg{Code: 'B', Text: "B"})
	m = uiType(t, m, "BGSAVE")
	_, cmd = uiStep(t, m, tea.KeyPressMsg{Code: tea.KeyEnter})
	cmd()
	entries := log.All()
	if len(entries) != 2 || entries[0].Action != "BGSAVE" || !entries[0].OK || entries[0].Command != "BGSAVE" || entries[0].Time.IsZero() {
		t.Fatalf("log = %+v", entries)
	}
	if len(roLog.All()) != 0 {
		t.Errorf("read-only log = %+v", roLog.All())
	}

	// The exported report carries the log.
	ex := log.Wrap(app.NewExporter(rw, srv.Addr))
	d := m.Live()
	rep := ex.Build(d)
	var js, md bytes.Buffer
	if err := app.WriteReport(&js, rep, app.FormatJSON); err != nil {
		t.Fatal(err)
	}
	if err := app.WriteReport(&md, rep, "markdown"); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Actions []model.ActionLog `json:"actions"`
	}
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back.Actions) != 2 || back.Actions[0].Result != "Background saving started" {
		t.Errorf("JSON actions = %+v (%v)", back.Actions, err)
	}
	if !strings.Contains(md.String(), "## Actions taken") || !strings.Contains(md.String(), "| "+srv.Addr+" | BGSAVE | `BGSAVE` | ok: Background saving started |") {
		t.Errorf("Markdown lacks the actions:\n%s", md.String())
	}
}
