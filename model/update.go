package model

import "time"

// Update is one thing the UI receives from its source (live polling, a demo, or
// a recording being replayed). Exactly one of the pointer fields is set. The
// same value is what a recording stores, one per line, so the UI cannot tell a
// live run from a replay.
type Update struct {
	Sample  *Sample  `json:"sample,omitempty"`
	Conn    *Conn    `json:"conn,omitempty"`
	Caption *Caption `json:"caption,omitempty"`
	Extras  *Extras  `json:"extras,omitempty"`
	Event   *Event   `json:"event,omitempty"`
	// Scan is the big-key worker's progress and aggregation snapshot.
	Scan *ScanUpdate `json:"scan,omitempty"`
	// Watch is the latest re-measure of the scan's top keys between passes
	// (their growth per minute, bigkeys_watch.go).
	Watch *KeyGrowth `json:"key_growth,omitempty"`
	// Replay is where a replay stands (position, speed, pause); Reset in it
	// tells the UI to start over (a seek backwards).
	Replay *ReplayState `json:"replay,omitempty"`
	// Backfill is history from before the first live poll (read from
	// Prometheus), or the one line saying how reading it goes.
	Backfill *Backfill `json:"backfill,omitempty"`
}

// Caption is a line of text a demo scenario shows under the header.
type Caption struct {
	Time  time.Time `json:"time"`
	Text  string    `json:"text"`
	Stage int       `json:"stage,omitempty"`
	Of    int       `json:"of,omitempty"`
}
