package ui

import (
	"errors"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
)

func TestActionsRunAndShowInHelp(t *testing.T) {
	t.Parallel()
	var nexts int
	opts := Options{Actions: []Action{
		{Group: "Demo", Key: key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next stage")), Do: func() string { nexts++; return "next stage" }},
	}}
	m := sized(t, 120, 40, opts, synth{n: 10}.samples())
	m = step(t, m, redistest.Key("n"))
	if nexts != 1 {
		t.Fatalf("n ran the action %d times", nexts)
	}
	if !strings.Contains(ansi.Strip(m.View().Content), "next stage") {
		t.Error("the action's status line is not shown")
	}
	m = step(t, m, redistest.Key("?"))
	frame := ansi.Strip(m.View().Content)
	if !strings.Contains(frame, "Demo") || !strings.Contains(frame, "next stage") || !strings.Contains(frame, "export the incident report") {
		t.Errorf("help lacks the actions:\n%s", frame)
	}
}

func TestExportMarksEvidence(t *testing.T) {
	t.Parallel()
	var built int
	opts := Options{Export: &Exporter{
		Build: func(d *Data) model.Report {
			built++
			return model.BuildReport(model.ReportInput{Now: d.Now, Hist: d.Hist})
		},
		Write: func(model.Report) (string, error) { return "/tmp/report.md", nil },
	}}
	m := sized(t, 120, 40, opts, synth{n: 10}.samples())
	nm, cmd := m.Update(redistest.Key("x"))
	m = nm.(Model)
	if built != 1 || cmd == nil {
		t.Fatalf("x built %d reports, cmd %v", built, cmd)
	}
	nm, _ = m.Update(cmd())
	m = nm.(Model)
	if !m.Live().EvidenceSaved {
		t.Error("the evidence is not marked saved after a successful export")
	}
	if !strings.Contains(ansi.Strip(m.View().Content), "/tmp/report.md") {
		t.Error("the UI does not say where it wrote the report")
	}

	failing := Options{Export: &Exporter{
		Build: func(*Data) model.Report { return model.Report{} },
		Write: func(model.Report) (string, error) { return "", errors.New("disk full") },
	}}
	m = sized(t, 120, 40, failing, synth{n: 3}.samples())
	nm, cmd = m.Update(redistest.Key("x"))
	nm, _ = nm.(Model).Update(cmd())
	m = nm.(Model)
	if m.Live().EvidenceSaved || !strings.Contains(ansi.Strip(m.View().Content), "disk full") {
		t.Error("a failed export must say so and not mark the evidence saved")
	}
}

func TestFocusPaneMsgMovesFocus(t *testing.T) {
	t.Parallel()
	m := sized(t, 120, 40, Options{ExtraPanes: []Pane{NewChecklistPane()}}, synth{n: 10}.samples())
	nm, _ := m.Update(FocusPaneMsg{Pane: PaneFrag})
	if got := nm.(Model).Focused(); got != PaneFrag {
		t.Errorf("focus %v after FocusPaneMsg{PaneFrag}", got)
	}
	nm, _ = nm.(Model).Update(FocusPaneMsg{Pane: PaneBigKeys}) // not on screen: nothing moves
	if got := nm.(Model).Focused(); got != PaneFrag {
		t.Errorf("focus %v after a FocusPaneMsg for an absent pane", got)
	}
}

func TestEscClosesThePaneSubViewBeforeTheExpandedView(t *testing.T) {
	t.Parallel()
	m := sized(t, 120, 40, Options{ExtraPanes: []Pane{NewChecklistPane()}}, synth{n: 10}.samples())
	nm, _ := m.Update(FocusPaneMsg{Pane: PaneChecklist})
	m = nm.(Model)
	m = step(t, m, redistest.Key("e"))
	m = step(t, m, redistest.Key("enter")) // open the first check's why
	if !m.Expanded() {
		t.Fatal("e did not expand")
	}
	m = step(t, m, redistest.Key("esc"))
	if !m.Expanded() {
		t.Fatal("esc left the expanded view while a check's details were open")
	}
	m = step(t, m, redistest.Key("esc"))
	if m.Expanded() {
		t.Fatal("esc on the list did not leave the expanded view")
	}
}
