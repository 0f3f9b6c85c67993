package model

import (
	"fmt"
	"strconv"
	"time"
)

// ForkCost is the latest fork graded on its own stall and on the memory at
// the fork (the sample that first showed it, ForkSeen), in one unit — ms
// per GB — for the persistence pane, the checklist and the report alike.
type ForkCost struct {
	ForkSeen
	// Mem is the memory at the fork: RSS, or used_memory when RSS was not
	// reported; MemName says which.
	Mem     float64
	MemName string
	// MsPerGB is the stall per GB of Mem; Grade is LATENCY DOCTOR's word
	// for it. Both are empty under ThresholdForkRateMinBytes, where the
	// fork is judged by its stall alone.
	MsPerGB Opt
	Grade   string
	// Status grades the stall and the rate together: ok up to
	// ThresholdForkSlowUsec, watch above it or when poor, warn from
	// ThresholdForkStallWarnUsec or when terrible.
	Status Status
}

// LatestForkCost grades the latest fork the history saw; false when none
// was reported or the server has not forked since it started.
func (h *History) LatestForkCost() (ForkCost, bool) {
	f, ok := h.LatestFork()
	if !ok || f.Usec <= 0 {
		return ForkCost{}, false
	}
	fc := ForkCost{ForkSeen: f, Status: StatusOK}
	switch {
	case f.RSS.Valid && f.RSS.V > 0:
		fc.Mem, fc.MemName = f.RSS.V, "RSS"
	case f.Used.Valid && f.Used.V > 0:
		fc.Mem, fc.MemName = f.Used.V, "used_memory"
	}
	if f.Usec > ThresholdForkSlowUsec {
		fc.Status = StatusWatch
	}
	if f.Usec >= ThresholdForkStallWarnUsec {
		fc.Status = StatusWarn
	}
	if fc.Mem >= ThresholdForkRateMinBytes {
		per := f.Usec / 1000 / (fc.Mem / (1 << 30))
		fc.MsPerGB = Some(per)
		switch {
		case per > ThresholdForkMsPerGBTerrible:
			fc.Grade = "terrible"
			fc.Status = worse(fc.Status, StatusWarn)
		case per > ThresholdForkMsPerGBPoor:
			fc.Grade = "poor"
			fc.Status = worse(fc.Status, StatusWatch)
		case per > ThresholdForkMsPerGBGood:
			fc.Grade = "good"
		default:
			fc.Grade = "excellent"
		}
	}
	return fc, true
}

// Stall is the fork's duration: "14.09 ms".
func (fc ForkCost) Stall() string { return Ratio(fc.Usec/1000) + " ms" }

// PerGB is "13.8ms/GB good", or "" when the fork is not graded per GB.
func (fc ForkCost) PerGB() string {
	v, ok := fc.MsPerGB.Get()
	if !ok {
		return ""
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + "ms/GB " + fc.Grade
}

// Evidence is the line the checklist and the report give the fork: the
// stall, the memory at the fork and when it was seen, the rate and the
// grades it is measured against.
func (fc ForkCost) Evidence() string {
	line := "latest_fork_usec: " + fc.Stall()
	if fc.Mem <= 0 {
		return line + " (the memory at the fork is unknown: graded by its stall alone)"
	}
	at := fmt.Sprintf("%s %s at the fork (sample of %s)", fc.MemName, Bytes(fc.Mem), fc.Time.UTC().Format(time.TimeOnly))
	if fc.Before {
		at = fmt.Sprintf("%s %s when first seen (%s; the fork may be older)", fc.MemName, Bytes(fc.Mem), fc.Time.UTC().Format(time.TimeOnly))
	}
	if !fc.MsPerGB.Valid {
		return line + ", " + at + ": under " + Bytes(ThresholdForkRateMinBytes) + " a fork is graded by its stall alone"
	}
	return fmt.Sprintf("%s, %s = %s (LATENCY DOCTOR: over %sms/GB poor, over %sms/GB terrible)",
		line, at, fc.PerGB(), strconv.FormatFloat(ThresholdForkMsPerGBPoor, 'f', -1, 64), strconv.FormatFloat(ThresholdForkMsPerGBTerrible, 'f', -1, 64))
}
