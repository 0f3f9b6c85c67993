package model

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func writeRecording(t *testing.T, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	rw, err := NewRecordWriter(&buf, nil, RecordingHeader{Target: "127.0.0.1:6379/0", Interval: time.Second, Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		s := smp(i, float64(1000+i), 2000, 0, "r", float64(i))
		if err := rw.Write(s.Time, Update{Sample: &s}); err != nil {
			t.Fatal(err)
		}
	}
	c := Caption{Time: t0, Text: "stage 1"}
	if err := rw.Write(t0, Update{Caption: &c}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readAll(t *testing.T, r io.Reader) ([]RecordLine, error) {
	t.Helper()
	rr, err := NewRecordReader(r)
	if err != nil {
		return nil, err
	}
	var out []RecordLine
	for {
		l, err := rr.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return out, err
		}
		out = append(out, l)
	}
}

func TestRecordingRoundTrip(t *testing.T) {
	lines, err := readAll(t, bytes.NewReader(writeRecording(t, 5)))
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 6 {
		t.Fatalf("%d lines", len(lines))
	}
	if got := lines[3].Sample.Memory.UsedMemory; got != Some(1003) {
		t.Errorf("sample 3 used = %+v", got)
	}
	if lines[3].Sample.Memory.AllocatorFragRatio.Valid {
		t.Error("an absent figure came back present")
	}
	if lines[5].Caption == nil || lines[5].Caption.Text != "stage 1" {
		t.Errorf("caption %+v", lines[5])
	}
}

func TestRecordingTruncatedReplaysUpToLastWholeLine(t *testing.T) {
	b := writeRecording(t, 5)
	cut := b[:len(b)-20] // the process died in the middle of the last line
	lines, err := readAll(t, bytes.NewReader(cut))
	if !errors.Is(err, ErrTruncated) {
		t.Fatalf("err = %v, want ErrTruncated", err)
	}
	if len(lines) != 5 {
		t.Errorf("read %d whole lines, want 5", len(lines))
	}
}

func TestRecordingGzipFlushedPerLine(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	rw, err := NewRecordWriter(zw, zw.Flush, RecordingHeader{Target: "x", Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		s := smp(i, 1, 1, 0, "r", 1)
		if err := rw.Write(s.Time, Update{Sample: &s}); err != nil {
			t.Fatal(err)
		}
	}
	// Never closed: as if the process had been killed.
	zr, err := gzip.NewReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	lines, err := readAll(t, zr)
	if err != nil && !errors.Is(err, ErrTruncated) {
		t.Fatalf("err = %v", err)
	}
	if len(lines) != 3 {
		t.Errorf("read %d lines from an unclosed gzip, want 3", len(lines))
	}
}

func TestRecordingErrorsNameTheLine(t *testing.T) {
	b := writeRecording(t, 3)
	parts := strings.SplitN(string(b), "\n", 3)
	corrupt := parts[0] + "\n" + parts[1] + "\n{not json\n" + parts[2]
	_, err := readAll(t, strings.NewReader(corrupt))
	if err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("err = %v, want it to name line 3", err)
	}
	_, err = readAll(t, strings.NewReader(`{"schema":"redis-memtop.recording/9"}`+"\n"))
	if err == nil || !strings.Contains(err.Error(), "schema") {
		t.Errorf("err = %v, want a schema error", err)
	}
	if _, err := readAll(t, strings.NewReader("")); err == nil {
		t.Error("an empty file must be an error")
	}
}
