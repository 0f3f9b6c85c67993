package model

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// RecordingSchema names the format of a recording: JSON Lines, a header line
// then one RecordLine per update the UI received.
const RecordingSchema = "redis-memtop.recording/1"

// RecordingHeader is the first line of a recording. Target is password-free.
type RecordingHeader struct {
	Schema   string        `json:"schema"`
	Target   string        `json:"target"`
	Interval time.Duration `json:"interval_ns"`
	Start    time.Time     `json:"start"`
	Version  string        `json:"version,omitempty"` // of redis-memtop
}

// RecordLine is one update and when the UI received it.
type RecordLine struct {
	T time.Time `json:"t"`
	Update
}

// RecordWriter appends a recording line by line. Each line is written whole
// and flushed, so a process killed mid-run leaves a file that replays up to
// its last whole line.
type RecordWriter struct {
	w     io.Writer
	flush func() error
	buf   bytes.Buffer
}

// NewRecordWriter writes the header to w. flush, when not nil, is called after
// every line (a gzip.Writer's Flush, a bufio.Writer's Flush).
func NewRecordWriter(w io.Writer, flush func() error, h RecordingHeader) (*RecordWriter, error) {
	h.Schema = RecordingSchema
	rw := &RecordWriter{w: w, flush: flush}
	if err := rw.line(h); err != nil {
		return nil, err
	}
	return rw, nil
}

// Write appends one update received at t.
func (rw *RecordWriter) Write(t time.Time, u Update) error {
	return rw.line(RecordLine{T: t, Update: u})
}

func (rw *RecordWriter) line(v any) error {
	rw.buf.Reset()
	enc := json.NewEncoder(&rw.buf)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("recording: %w", err)
	}
	if _, err := rw.w.Write(rw.buf.Bytes()); err != nil {
		return fmt.Errorf("recording: %w", err)
	}
	if rw.flush != nil {
		if err := rw.flush(); err != nil {
			return fmt.Errorf("recording: %w", err)
		}
	}
	return nil
}

// ErrTruncated reports a recording whose last line was cut off (the process
// was killed while writing it). Everything before it was read.
var ErrTruncated = errors.New("recording: the last line is incomplete (the recording was cut off)")

// RecordReader reads a recording line by line.
type RecordReader struct {
	sc     *bufio.Scanner
	Header RecordingHeader
	line   int
}

// NewRecordReader reads and checks the header.
func NewRecordReader(r io.Reader) (*RecordReader, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 64<<20)
	rr := &RecordReader{sc: sc}
	if !sc.Scan() {
		if err := sc.Err(); err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("recording: line 1: %w", err)
		}
		return nil, errors.New("recording: empty file (no header line)")
	}
	rr.line = 1
	if err := json.Unmarshal(sc.Bytes(), &rr.Header); err != nil {
		return nil, fmt.Errorf("recording: line 1: not a recording header: %w", err)
	}
	if rr.Header.Schema != RecordingSchema {
		return nil, fmt.Errorf("recording: line 1: schema %q, this version reads %q", Sanitize(rr.Header.Schema, 60), RecordingSchema)
	}
	return rr, nil
}

// Next returns the next line. It returns io.EOF at the end, ErrTruncated when
// the last line was cut off, and an error naming the line for a corrupt one.
func (rr *RecordReader) Next() (RecordLine, error) {
	for rr.sc.Scan() {
		rr.line++
		b := bytes.TrimSpace(rr.sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var l RecordLine
		if err := json.Unmarshal(b, &l); err != nil {
			if rr.atEOF() {
				return RecordLine{}, ErrTruncated
			}
			return RecordLine{}, fmt.Errorf("recording: line %d is corrupt: %w", rr.line, err)
		}
		return l, nil
	}
	if err := rr.sc.Err(); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return RecordLine{}, ErrTruncated
		}
		return RecordLine{}, fmt.Errorf("recording: after line %d: %w", rr.line, err)
	}
	return RecordLine{}, io.EOF
}

// atEOF reports whether nothing follows the current line.
func (rr *RecordReader) atEOF() bool {
	for rr.sc.Scan() {
		if len(bytes.TrimSpace(rr.sc.Bytes())) > 0 {
			return false
		}
	}
	return true
}
