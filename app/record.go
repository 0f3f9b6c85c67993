package app

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/redis-memtop/redis-memtop/model"
)

// Recorder writes everything the UI receives to a JSON Lines file (gzip when
// the name ends in .gz), one flushed line at a time.
type Recorder struct {
	f  *os.File
	zw *gzip.Writer
	bw *bufio.Writer
	rw *model.RecordWriter
}

// OpenRecorder creates the recording file and writes its header.
func OpenRecorder(path string, h model.RecordingHeader) (*Recorder, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	r := &Recorder{f: f}
	r.bw = bufio.NewWriterSize(f, 64<<10)
	flush := r.bw.Flush
	var w io.Writer = r.bw
	if strings.HasSuffix(path, ".gz") {
		r.zw = gzip.NewWriter(r.bw)
		w = r.zw
		flush = func() error {
			if err := r.zw.Flush(); err != nil {
				return err //nolint:wrapcheck // RecordWriter wraps it
			}
			return r.bw.Flush()
		}
	}
	h.Version = Version
	if r.rw, err = model.NewRecordWriter(w, flush, h); err != nil {
		_ = f.Close()
		return nil, err //nolint:wrapcheck // says "recording:"
	}
	return r, nil
}

func (r *Recorder) write(t time.Time, u model.Update) error {
	return r.rw.Write(t, u) //nolint:wrapcheck // says "recording:"
}

// Close flushes and closes the recording.
func (r *Recorder) Close() error {
	if r.zw != nil {
		_ = r.zw.Close()
	}
	_ = r.bw.Flush()
	if err := r.f.Close(); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	return nil
}

// Tee forwards every update from in to out and records it, until ctx ends
// or in closes; a recording error stops the recording (said once on the
// UI's status line as a caption) but never the monitor.
func (r *Recorder) Tee(ctx context.Context, in <-chan model.Update, out chan<- model.Update) {
	failed := false
	relay(ctx, in, out, func(u model.Update) (model.Update, bool) {
		if failed {
			return u, true
		}
		if err := r.write(time.Now(), u); err != nil {
			failed = true
			c := model.Caption{Time: time.Now(), Text: "recording stopped: " + err.Error()}
			if !send(ctx, out, model.Update{Caption: &c}) {
				return u, false
			}
		}
		return u, true
	})
}
