package app

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/model"
)

func TestEvidenceDiagnosisMarksTheReportAndKeepsOrder(t *testing.T) {
	dg := &model.Diagnosis{Checks: model.Checklist{
		{ID: "headroom", Status: model.StatusCrit},
		{ID: model.CheckEvidence, Status: model.StatusCrit},
		{ID: "peak", Status: model.StatusOK},
	}}
	got := dg.WithEvidenceSaved() // what the exporter puts in the report
	if dg.Checks[1].Status != model.StatusCrit {
		t.Error("the UI's own diagnosis was changed")
	}
	if got.Checks[0].ID != "headroom" || got.Checks[len(got.Checks)-1].Status != model.StatusOK {
		t.Errorf("order after marking: %+v", got.Checks)
	}
	ev, _ := got.Checks.Find(model.CheckEvidence)
	if ev.Status != model.StatusOK {
		t.Errorf("evidence %+v", ev)
	}
	if (*model.Diagnosis)(nil).WithEvidenceSaved() != nil {
		t.Error("nil in, nil out")
	}
}

func TestWriteReportFiles(t *testing.T) {
	dir := t.TempDir()
	rep := model.Report{Schema: model.ReportSchema, GeneratedAt: time.Date(2026, 11, 22, 1, 2, 3, 0, time.UTC), Keyspace: []model.DBKeys{}, Unavailable: map[string]string{}}
	where, err := WriteReportFiles(dir, rep)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(where, "redis-memtop-report-20261122-010203.md") {
		t.Errorf("where = %q", where)
	}
	md, err := os.ReadFile(dir + "/redis-memtop-report-20261122-010203.md")
	if err != nil || !strings.Contains(string(md), "# redis-memtop incident report") {
		t.Errorf("markdown: %v", err)
	}
	js, err := os.ReadFile(dir + "/redis-memtop-report-20261122-010203.json")
	var back model.Report
	if err != nil || json.Unmarshal(js, &back) != nil || back.Schema != model.ReportSchema {
		t.Errorf("json: %v", err)
	}
}
