package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/model"
)

// TestBigKeysPaneEstimates renders a partial pass over one database: the
// pane shows the estimated totals ("≈ … ± … %", from the share scanned) and
// the types'; the same pass complete shows no estimate, its figures being
// exact; the big keys listed keep the bytes they were measured with.
func TestBigKeysPaneEstimates(t *testing.T) {
	t.Parallel()
	a := model.NewBigKeysAgg(model.BigKeysConfig{}, nil)
	a.Add(&model.KeyInfo{Key: "big:hash:users", Type: "hash", Encoding: "hashtable", Bytes: 6_648_688, Elements: 100_000, TTL: -1})
	for i := range 5000 {
		a.Add(&model.KeyInfo{Key: fmt.Sprintf("page:%d", i), Type: "string", Encoding: "raw", Bytes: int64(200 + i%900), Elements: -1, TTL: 3600})
	}
	st := &model.ScanState{Result: a.Snapshot(), Progress: model.ScanProgress{
		Phase: model.ScanScanning, Pass: 1, Scanned: 5001, DBSize: 100_020, DBs: []int{0}, Samples: 5,
	}}
	d := bkData(st)
	s := model.Sample{Time: bkT0}
	s.Memory.UsedMemory = model.Some(200 << 20)
	d.Hist.Add(s)

	frame := ansi.Strip(renderBK(t, NewBigKeysPane(), d, 120, 16))
	for _, want := range []string{"estimated ≈ ", " ± ", " %", "from 5 % of keys", "by type: hash ≈ ", "string ≈ ", "big:hash:users", "6.34M"} {
		if !strings.Contains(frame, want) {
			t.Errorf("partial pass: frame lacks %q:\n%s", want, frame)
		}
	}
	// The estimate scales the 3.0M of strings seen by 20: 60M.
	if !strings.Contains(frame, "string ≈ 60.03M ± ") {
		t.Errorf("strings not scaled up from 5 %% of keys:\n%s", frame)
	}

	done := *st
	done.Progress.Phase, done.Progress.Scanned = model.ScanDone, 100_020
	frame = ansi.Strip(renderBK(t, NewBigKeysPane(), bkData(&done), 120, 16))
	if strings.Contains(frame, "≈") || strings.Contains(frame, "estimated") {
		t.Errorf("a complete pass is exact, yet the frame estimates:\n%s", frame)
	}
}
