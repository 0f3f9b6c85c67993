package model

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"time"
)

// ReplayState tells the UI where a replay stands. Reset says the UI must
// forget what it holds: the updates that follow rebuild it from the start of
// the recording (a seek backwards).
type ReplayState struct {
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Pos    time.Time `json:"pos"`
	Speed  float64   `json:"speed"` // 1, 4, 16…; 0 = as fast as possible
	Paused bool      `json:"paused"`
	Done   bool      `json:"done"`
	Reset  bool      `json:"reset,omitempty"`
}

// Fraction is how far Pos is between Start and End (0–1).
func (r *ReplayState) Fraction() float64 {
	total := r.End.Sub(r.Start)
	if total <= 0 {
		return 1
	}
	return min(max(float64(r.Pos.Sub(r.Start))/float64(total), 0), 1)
}

// maxReplayLines bounds what a replay holds in memory (about 2 days at one
// poll a second, with extras).
const maxReplayLines = 400_000

// Recording is a whole recording read into memory, for replay and for the
// report at a point of it.
type Recording struct {
	Header RecordingHeader
	Lines  []RecordLine
	// Truncated is set when the file was cut off mid-line (the recorder was
	// killed): everything up to the last whole line is here.
	Truncated bool
}

// ReadRecording reads a recording. A corrupt line is an error naming it; a
// cut-off last line is not (Truncated says so).
func ReadRecording(r io.Reader) (*Recording, error) {
	rr, err := NewRecordReader(r)
	if err != nil {
		return nil, err
	}
	rec := &Recording{Header: rr.Header}
	for {
		l, err := rr.Next()
		switch {
		case errors.Is(err, io.EOF):
			return rec, nil
		case errors.Is(err, ErrTruncated):
			rec.Truncated = true
			return rec, nil
		case err != nil:
			return nil, err
		}
		if len(rec.Lines) >= maxReplayLines {
			return nil, fmt.Errorf("recording: more than %d lines: too long to replay at once", maxReplayLines)
		}
		rec.Lines = append(rec.Lines, l)
	}
}

// Start and End are the times of the first and last lines.
func (r *Recording) Start() time.Time {
	if len(r.Lines) == 0 {
		return r.Header.Start
	}
	return r.Lines[0].T
}

// End is the time of the last line.
func (r *Recording) End() time.Time {
	if len(r.Lines) == 0 {
		return r.Header.Start
	}
	return r.Lines[len(r.Lines)-1].T
}

// IndexAt is the number of lines at or before t: replaying Lines[:IndexAt(t)]
// shows the recording as it stood at t.
func (r *Recording) IndexAt(t time.Time) int {
	return sort.Search(len(r.Lines), func(i int) bool { return r.Lines[i].T.After(t) })
}

// Fold replays the first n lines into a history and the latest extras: what
// the report at that point is made from.
func (r *Recording) Fold(n int, hist *History) (extras *Extras) {
	for _, l := range r.Lines[:min(n, len(r.Lines))] {
		if l.Sample != nil {
			hist.Add(*l.Sample)
		}
		if l.Extras != nil {
			extras = l.Extras
		}
	}
	return extras
}
