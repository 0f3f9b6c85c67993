package ui

import (
	"strings"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/themes"
)

// estimateMemo keeps the estimate of one snapshot, so a frame does not
// recompute it: a snapshot is immutable, and the cap moves with each poll.
type estimateMemo struct {
	snap     *model.BigKeys
	prog     model.ScanProgress
	capBytes int64
	est      *model.BigKeysEstimate
}

func (m *estimateMemo) get(s *model.ScanState, capBytes int64) *model.BigKeysEstimate {
	if s == nil || s.Result == nil {
		return nil
	}
	if m.snap != s.Result || m.capBytes != capBytes || m.prog.Scanned != s.Progress.Scanned || m.prog.Phase != s.Progress.Phase {
		m.snap, m.prog, m.capBytes = s.Result, s.Progress, capBytes
		m.est = model.EstimateBigKeys(s.Result, &s.Progress, capBytes)
	}
	return m.est
}

// estimateLines are what a partial pass says of the whole keyspace: the
// total and the bytes without TTL, then (room allowing) the types, each
// "≈ value ± half-width %" (the wider side of its 95 % interval). None when
// the pass is complete (the figures are exact) or cannot be estimated.
func estimateLines(e *model.BigKeysEstimate, st *themes.Styles, w, room int) []string {
	if e == nil || room <= 0 {
		return nil
	}
	pct := model.Count(100*e.Fraction) + " %"
	line := st.Muted.Render("estimated ") + st.Value.Render(model.EstimateShort(e.Total.Bytes, model.Bytes)) +
		st.Muted.Render(" in ≈ "+model.Count(e.Total.Keys.Value)+" keys · no TTL ") +
		st.Value.Render(model.EstimateShort(e.NoTTL.Bytes, model.Bytes)) + st.Muted.Render(" (95 %, from "+pct+" of keys)")
	lines := []string{cut(line, w)}
	if room >= 2 && len(e.Types) > 0 {
		parts := make([]string, 0, len(e.Types))
		for _, t := range e.Types {
			parts = append(parts, model.Sanitize(t.Name, 20)+" "+model.EstimateShort(t.Bytes, model.Bytes))
		}
		lines = append(lines, st.Muted.Render(cut("by type: "+strings.Join(parts, " · "), w)))
	}
	return lines
}
