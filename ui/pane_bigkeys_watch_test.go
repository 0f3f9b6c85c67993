package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/model"
)

// The re-measures of the top keys (issue 17): a growth/min column with ↑ on
// a flagged key and the latest size, at every width the pane gets; no
// column without them (the goldens keep their columns).
func TestBigKeysGrowthColumn(t *testing.T) {
	st := bkState(model.ScanDone)
	w := model.NewKeyWatch()
	for i, el := range []int64{200_000, 260_000, 320_000} {
		w.Observe(bkT0.Add(time.Duration(i)*time.Minute), []model.KeyReading{
			{Key: "big:list:timeline", Type: "list", Bytes: 2_510_872 + int64(i)*600_000, Elements: el},
			{Key: "big:hash:users", Type: "hash", Bytes: 6_648_688, Elements: 100_000},
		})
	}
	plain := ansi.Strip(renderBK(t, NewBigKeysPane(), bkData(st), 120, 16))
	if strings.Contains(plain, "growth/min") {
		t.Errorf("a growth column without re-measures:\n%s", plain)
	}
	st.ApplyWatch(w.Snapshot(bkT0.Add(2 * time.Minute)))
	for _, width := range []int{60, 78, 118, 158} {
		frame := ansi.Strip(renderBK(t, NewBigKeysPane(), bkData(st), width, 16))
		var row string
		for _, l := range strings.Split(frame, "\n") {
			if strings.Contains(l, "big:list:timeline") {
				row = l
			}
		}
		if width >= 78 && !strings.Contains(row, "↑ +60.0k el/min") {
			t.Errorf("width %d: the timeline row lacks ↑ +60.0k el/min: %q\n%s", width, row, frame)
		}
		if width >= 118 && !strings.Contains(row, "320.0k") {
			t.Errorf("width %d: the timeline row does not show its latest length: %q", width, row)
		}
		if strings.Contains(frame, "big:hash:users") && strings.Contains(lineWith(frame, "big:hash:users"), "↑") {
			t.Errorf("width %d: the steady hash is flagged", width)
		}
	}
}

func lineWith(frame, s string) string {
	for _, l := range strings.Split(frame, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// INFO KEYSIZES stays on screen until the scan has sized a key — also when
// the pass's first snapshot is empty (a SCAN batch with no key).
func TestBigKeysKeySizesUntilKeys(t *testing.T) {
	ks := &model.KeySizes{Hists: []model.KeySizeHist{{DB: 0, Kind: "lists_items", Buckets: []model.KeySizeBucket{{Min: 16, Count: 4}}}}}
	empty := model.NewBigKeysAgg(model.BigKeysConfig{}, nil)
	st := &model.ScanState{Progress: model.ScanProgress{Phase: model.ScanScanning, Pass: 1, DBSize: 4}, Result: empty.Snapshot(), KeySizes: ks}
	frame := ansi.Strip(renderBK(t, NewBigKeysPane(), bkData(st), 100, 12))
	if !strings.Contains(frame, "INFO KEYSIZES") || !strings.Contains(frame, "db0 lists_items 4: 16:4") || strings.Contains(frame, "no keys sized yet") {
		t.Errorf("before any key, the histograms:\n%s", frame)
	}
	empty.Add(&model.KeyInfo{Key: "l", Type: "list", Bytes: 100, Elements: 16, TTL: -1})
	st.Result = empty.Snapshot()
	frame = ansi.Strip(renderBK(t, NewBigKeysPane(), bkData(st), 100, 12))
	if strings.Contains(frame, "INFO KEYSIZES") {
		t.Errorf("the key table should take over once a key is sized:\n%s", frame)
	}
}

// The growth view, before a second pass, lists the re-measures.
func TestBigKeysGrowthViewShowsTheRemeasures(t *testing.T) {
	a := model.NewBigKeysAgg(model.BigKeysConfig{}, nil)
	a.Add(&model.KeyInfo{Key: "q\x1b[31m", Type: "list", Bytes: 1000, Elements: 100, TTL: -1})
	st := &model.ScanState{Progress: model.ScanProgress{Phase: model.ScanDone, Pass: 1, Scanned: 1, DBSize: 1}, Result: a.Snapshot()}
	w := model.NewKeyWatch()
	for i, el := range []int64{100, 5000, 9000} {
		w.Observe(bkT0.Add(time.Duration(i)*time.Minute), []model.KeyReading{{Key: "q\x1b[31m", Type: "list", Bytes: el * 10, Elements: el}})
	}
	st.ApplyWatch(w.Snapshot(bkT0))
	p := NewBigKeysPane()
	d := bkData(st)
	keysPress(p, d, "v", "v", "v", "v") // keys → prefixes → types → TTL → growth
	frame := ansi.Strip(renderBK(t, p, d, 100, 10))
	if !strings.Contains(frame, `db0 q\x1b[31m (list): +4,450 elements/min`) || !strings.Contains(frame, "90.0×") {
		t.Errorf("the growth view lacks the re-measure:\n%s", frame)
	}
}
