package redisx

import (
	"strings"
	"testing"

	"github.com/redis-memtop/redis-memtop/model"
)

// The host's memory beyond MemTotal: MemAvailable, swap and swappiness, read
// when they are there and noted when not.
func TestReadHostMemory(t *testing.T) {
	files, links := hostBase()
	files["proc/meminfo"] = "MemTotal:       16303540 kB\nMemFree:         1000000 kB\nMemAvailable:    4000000 kB\nSwapTotal:       2097148 kB\nSwapFree:        1048576 kB\n"
	files["proc/sys/vm/swappiness"] = "60\n"
	hf := HostReader{Root: hostTree(t, files, links)}.Read(4242, "/usr/bin/redis-server")
	if !hf.Local {
		t.Fatalf("not local: %s", hf.Reason)
	}
	for name, pair := range map[string][2]model.Opt{
		"MemAvailable": {hf.MemAvailable, model.Some(4000000 * 1024)},
		"SwapTotal":    {hf.SwapTotal, model.Some(2097148 * 1024)},
		"SwapFree":     {hf.SwapFree, model.Some(1048576 * 1024)},
		"swappiness":   {hf.Swappiness, model.Some(60)},
	} {
		if pair[0] != pair[1] {
			t.Errorf("%s = %+v, want %+v", name, pair[0], pair[1])
		}
	}

	// An old kernel without MemAvailable, a container without the sysctl.
	files, links = hostBase()
	hf = HostReader{Root: hostTree(t, files, links)}.Read(4242, "/usr/bin/redis-server")
	if hf.MemAvailable.Valid || hf.Swappiness.Valid {
		t.Fatalf("absent figures read as values: %+v", hf)
	}
	notes := strings.Join(hf.Notes, "|")
	for _, want := range []string{"MemAvailable: not reported", "SwapTotal: not reported", "vm.swappiness: not available"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes %q do not say %q", notes, want)
		}
	}
}
