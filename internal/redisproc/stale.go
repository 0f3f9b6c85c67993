package redisproc

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// Demo directories are named redis-memtop-demo-<pid>-<random>, so one left
// behind by a run that was killed with SIGKILL (its redis-server died with
// it: Pdeathsig) can be told from one in use: the next run removes those
// whose pid is gone.
const dirPrefix = "redis-memtop-demo-"

var sweepOnce sync.Once

// tempDirPattern is the MkdirTemp pattern of this process's servers.
func tempDirPattern() string { return dirPrefix + strconv.Itoa(os.Getpid()) + "-*" }

// sweepStaleDirs removes, once per process, the demo directories in dir
// left by processes that no longer run. It returns how many it removed.
func sweepStaleDirs(dir string) int {
	removed := 0
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), dirPrefix)
		if !ok || !e.IsDir() {
			continue
		}
		pidText, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 || pid == os.Getpid() || !processGone(pid) {
			continue
		}
		if os.RemoveAll(filepath.Join(dir, e.Name())) == nil {
			removed++
		}
	}
	return removed
}
