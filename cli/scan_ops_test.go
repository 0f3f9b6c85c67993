package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/app"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// TestHeaderSaysWhichOpsAreTheScans: an idle server being scanned shows
// thousands of ops/s — the scan's own commands. The header says how many of
// them are the scan's while it runs ("… ops/s (scan …)"), from the commands
// the worker counts, and stops saying so when the pass is done.
func TestHeaderSaysWhichOpsAreTheScans(t *testing.T) {
	srv := redistest.StartServer(t)
	fillKeysTTL(t, srv.Addr, 30_000, 3, time.Hour) // a third expire: TTL a key too
	o := redisx.DefaultOptions()
	o.Addr = srv.Addr
	r := startLive(t, connectMain(t, o), rigOptions{scan: &app.ScanConfig{Rate: 3000, ProgressEvery: 100 * time.Millisecond}, w: 120, h: 40})
	var prog model.ScanProgress
	r.until("the scan's ops in the header", func(m ui.Model) bool {
		s := m.Live().Scan
		if s == nil || s.Progress.Phase != model.ScanScanning || s.Progress.OpsPerSec <= 0 || s.Progress.KeysPerSec <= 0 {
			return false
		}
		prog = s.Progress
		return strings.Contains(headerLine(r), " ops/s (scan ")
	})
	// OBJECT ENCODING, MEMORY USAGE and TTL a key (this database has
	// expiring keys), plus SCAN and the harm probe: 3 a key and a little.
	if ratio := prog.OpsPerSec / prog.KeysPerSec; ratio < 2.4 || ratio > 4.5 {
		t.Errorf("scan sends %.0f commands/s at %.0f keys/s (%.2f a key), want about 3", prog.OpsPerSec, prog.KeysPerSec, ratio)
	}
	r.until("a complete scan", scanDone)
	r.until("a sample after the pass", func(ui.Model) bool { return !strings.Contains(headerLine(r), "(scan ") })
}

// headerLine is the first line of the rig's frame: the header.
func headerLine(r *liveRig) string {
	first, _, _ := strings.Cut(r.frame(), "\n")
	return first
}
