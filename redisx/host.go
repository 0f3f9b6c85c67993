package redisx

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/redis-memtop/redis-memtop/model"
)

// HostReader reads the facts of the machine a server runs on from a
// filesystem root: Root/proc and Root/sys. Root is "/" for the real machine;
// tests point it at a tree they built.
type HostReader struct {
	Root string
}

// ReadHostFacts reads this machine's facts about the server process pid
// (INFO process_id) whose binary INFO reports as executable: VmSwap,
// vm.overcommit_memory, transparent huge pages, the cgroup memory limit and
// the host's RAM. When the process is not on this machine, or is another
// program, Local is false and Reason says why. It reads a handful of small
// files and never fails.
func ReadHostFacts(pid int, executable string) *model.HostFacts {
	return HostReader{Root: "/"}.Read(pid, executable)
}

// ReadHostFactsFor is ReadHostFacts for the server a sample came from
// (process_id, executable), with one more check: the process started when
// the server's uptime says, within a few seconds. Identical machines often
// give their redis-server the same pid; the start time tells them apart.
// This is what the poller should call.
func ReadHostFactsFor(s *model.Sample) *model.HostFacts {
	return HostReader{Root: "/"}.ReadFor(s)
}

// ReadFor is ReadHostFactsFor under r.Root.
func (r HostReader) ReadFor(s *model.Sample) *model.HostFacts {
	pid := int(s.Server.ProcessID.Or(0))
	if up, ok := s.Server.Uptime.Get(); ok && pid > 0 {
		if reason := r.sameProcess(pid, string(s.Server.Executable)); reason == "" {
			started := s.Time.Add(-time.Duration(up * float64(time.Second)))
			if reason := r.sameStart(pid, started); reason != "" {
				return &model.HostFacts{Reason: reason}
			}
		}
	}
	return r.Read(pid, string(s.Server.Executable))
}

// startTolerance is how far the process's start time may be from the one
// the server's uptime gives (uptime is whole seconds, INFO takes a moment).
const startTolerance = 3 * time.Second

// clockTicks is USER_HZ, the unit of /proc/PID/stat's starttime: 100 on
// every Linux architecture Go supports.
const clockTicks = 100

// sameStart checks the process started at about the given time; it returns
// why not, or "" (also when the start time cannot be read: the pid and
// executable already matched).
func (r HostReader) sameStart(pid int, started time.Time) string {
	statText, err := readSmall(r.path("proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return ""
	}
	btime, ok := readBtime(r.path("proc", "stat"))
	if !ok {
		return ""
	}
	// Fields after the command name (which may hold spaces and parentheses);
	// starttime is field 22, the 20th after the ")".
	i := strings.LastIndexByte(statText, ')')
	if i < 0 {
		return ""
	}
	f := strings.Fields(statText[i+1:])
	if len(f) < 20 {
		return ""
	}
	ticks, err := strconv.ParseFloat(f[19], 64)
	if err != nil {
		return ""
	}
	proc := time.Unix(int64(btime), 0).Add(time.Duration(ticks / clockTicks * float64(time.Second)))
	if d := proc.Sub(started); d > startTolerance || d < -startTolerance {
		return fmt.Sprintf("the server does not run on this host (process %d here started at %s, the server at %s)",
			pid, proc.UTC().Format(time.RFC3339), started.UTC().Format(time.RFC3339))
	}
	return ""
}

// readBtime reads the boot time (seconds since the epoch) from /proc/stat,
// line by line: its "intr" line can be long on machines with many IRQs.
func readBtime(file string) (float64, bool) {
	f, err := os.Open(file)
	if err != nil {
		return 0, false
	}
	defer func() { _ = f.Close() }()
	br := bufio.NewReader(io.LimitReader(f, 4<<20))
	for {
		line, err := br.ReadString('\n')
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			n, perr := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return n, perr == nil
		}
		if err != nil {
			return 0, false
		}
	}
}

// Read is ReadHostFacts under r.Root.
func (r HostReader) Read(pid int, executable string) *model.HostFacts {
	hf := &model.HostFacts{}
	if reason := r.sameProcess(pid, executable); reason != "" {
		hf.Reason = reason
		return hf
	}
	hf.Local = true
	proc := r.path("proc", strconv.Itoa(pid))

	if v, err := readStatusKB(filepath.Join(proc, "status"), "VmSwap"); err == nil {
		hf.VMSwap = model.Some(v)
	} else {
		hf.Notes = append(hf.Notes, "VmSwap: "+describeFSErr(err))
	}
	if s, err := readSmall(r.path("proc", "sys", "vm", "overcommit_memory")); err == nil {
		if v, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
			hf.Overcommit = model.Some(float64(v))
		} else {
			hf.Notes = append(hf.Notes, "vm.overcommit_memory: unreadable value")
		}
	} else {
		hf.Notes = append(hf.Notes, "vm.overcommit_memory: "+describeFSErr(err))
	}
	if s, err := readSmall(r.path("sys", "kernel", "mm", "transparent_hugepage", "enabled")); err == nil {
		hf.THP = bracketed(s)
	} else {
		hf.Notes = append(hf.Notes, "transparent_hugepage: "+describeFSErr(err))
	}
	if lim, note := r.cgroupLimit(filepath.Join(proc, "cgroup")); lim.Valid {
		hf.CgroupLimit = lim
	} else if note != "" {
		hf.Notes = append(hf.Notes, note)
	}
	if v, err := readStatusKB(r.path("proc", "meminfo"), "MemTotal"); err == nil {
		hf.HostRAM = model.Some(v)
	} else {
		hf.Notes = append(hf.Notes, "MemTotal: "+describeFSErr(err))
	}
	r.readHostMemory(hf)
	return hf
}

// readHostMemory reads what the host has beyond MemTotal: MemAvailable (the
// room a fork's copy-on-write has), its swap and vm.swappiness.
func (r HostReader) readHostMemory(hf *model.HostFacts) {
	meminfo := r.path("proc", "meminfo")
	for _, f := range []struct {
		name string
		dst  *model.Opt
	}{{"MemAvailable", &hf.MemAvailable}, {"SwapTotal", &hf.SwapTotal}, {"SwapFree", &hf.SwapFree}} {
		if v, err := readStatusKB(meminfo, f.name); err == nil {
			*f.dst = model.Some(v)
		} else {
			hf.Notes = append(hf.Notes, f.name+": "+describeFSErr(err))
		}
	}
	if s, err := readSmall(r.path("proc", "sys", "vm", "swappiness")); err == nil {
		if v, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && v >= 0 {
			hf.Swappiness = model.Some(float64(v))
		} else {
			hf.Notes = append(hf.Notes, "vm.swappiness: unreadable value")
		}
	} else {
		hf.Notes = append(hf.Notes, "vm.swappiness: "+describeFSErr(err))
	}
}

func (r HostReader) path(parts ...string) string {
	root := r.Root
	if root == "" {
		root = "/"
	}
	return filepath.Join(append([]string{root}, parts...)...)
}

// sameProcess checks that pid runs here and is the server's binary; it
// returns why not, or "".
func (r HostReader) sameProcess(pid int, executable string) string {
	if pid <= 0 {
		return "the server did not report its process_id"
	}
	exe := strings.TrimSpace(executable)
	if exe == "" || exe == "-" || !path.IsAbs(exe) {
		return "the server did not report its executable (a managed service?), so its process cannot be matched on this host"
	}
	proc := r.path("proc", strconv.Itoa(pid))
	if _, err := os.Stat(proc); err != nil {
		return fmt.Sprintf("the server does not run on this host (no process %d here)", pid)
	}
	link, err := os.Readlink(filepath.Join(proc, "exe"))
	if err != nil {
		return fmt.Sprintf("cannot check process %d on this host: %s (run redis-memtop as the redis user or root)", pid, describeFSErr(err))
	}
	target := path.Clean(strings.TrimSuffix(link, " (deleted)"))
	exe = path.Clean(exe)
	if target == exe || target == r.resolve(exe) {
		return ""
	}
	// Same file under another name (hard link, bind mount).
	if a, err := os.Stat(filepath.Join(proc, "exe")); err == nil {
		if b, err := os.Stat(r.path(exe)); err == nil && os.SameFile(a, b) {
			return ""
		}
	}
	// A server started by a bare name from a shell ("redis-server" found on
	// PATH) reports its working directory joined to argv[0], a path that
	// does not exist: accept the process when that path is missing and its
	// argv[0] has the same base name (ReadFor also checks the start time).
	if _, err := os.Stat(r.path(exe)); err != nil {
		if argv0 := r.argv0(pid); argv0 != "" && path.Base(argv0) == path.Base(exe) {
			return ""
		}
	}
	return fmt.Sprintf("the server does not run on this host (process %d here is %s, not %s)", pid, model.Sanitize(target, 80), model.Sanitize(exe, 80))
}

// argv0 is the first word of /proc/PID/cmdline, or "".
func (r HostReader) argv0(pid int) string {
	b, err := readSmall(r.path("proc", strconv.Itoa(pid), "cmdline"))
	if err != nil {
		return ""
	}
	first, _, _ := strings.Cut(b, "\x00")
	// redis-server rewrites its title ("redis-server 127.0.0.1:6379"): the
	// program name is the first word.
	first, _, _ = strings.Cut(first, " ")
	return first
}

// resolve follows symlinks of an absolute path inside the root (Debian's
// /usr/bin/redis-server is a link to redis-check-rdb).
func (r HostReader) resolve(p string) string {
	if r.Root == "" || r.Root == "/" {
		if res, err := filepath.EvalSymlinks(p); err == nil {
			return res
		}
		return p
	}
	// Under a test root: follow the last component's links (bounded).
	cur := p
	for range 16 {
		link, err := os.Readlink(r.path(cur))
		if err != nil {
			break
		}
		if path.IsAbs(link) {
			cur = path.Clean(link)
		} else {
			cur = path.Join(path.Dir(cur), link)
		}
	}
	return cur
}

// cgroupLimit finds the memory limit of the process's cgroup: the smallest
// limit on the path from its cgroup up to the root, cgroup v1 (memory
// controller, memory.limit_in_bytes) or v2 (memory.max). It returns a note
// when there is none or it cannot be read.
func (r HostReader) cgroupLimit(cgroupFile string) (model.Opt, string) {
	s, err := readSmall(cgroupFile)
	if err != nil {
		return model.None(), "cgroup: " + describeFSErr(err)
	}
	var v1, v2 string
	hasV1, hasV2 := false, false
	for _, line := range strings.Split(s, "\n") {
		parts := strings.SplitN(strings.TrimSpace(line), ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[0] == "0" && parts[1] == "" {
			v2, hasV2 = parts[2], true
			continue
		}
		for _, ctl := range strings.Split(parts[1], ",") {
			if ctl == "memory" {
				v1, hasV1 = parts[2], true
			}
		}
	}
	var bases []string
	var cg, file string
	switch {
	case hasV1:
		cg, file = v1, "memory.limit_in_bytes"
		bases = []string{r.path("sys", "fs", "cgroup", "memory")}
	case hasV2:
		cg, file = v2, "memory.max"
		bases = []string{r.path("sys", "fs", "cgroup"), r.path("sys", "fs", "cgroup", "unified")}
	default:
		return model.None(), "cgroup memory limit: the process is in no memory cgroup"
	}
	for _, base := range bases {
		lim, found := walkCgroup(base, cg, file)
		if !found {
			continue
		}
		if !lim.Valid {
			return model.None(), "cgroup memory limit: none (" + file + " is unlimited)"
		}
		return lim, ""
	}
	return model.None(), "cgroup memory limit: " + file + " not found for " + model.Sanitize(cg, 80)
}

// walkCgroup reads file in the cgroup directory and each parent up to the
// mount root, and keeps the smallest limit. When the cgroup path is not under
// base as such (a container sees its own cgroup as the root), leading
// components are dropped until it is. found is false when no file exists.
func walkCgroup(base, cg, file string) (lim model.Opt, found bool) {
	cg = path.Clean("/" + cg)
	// Find the longest suffix of cg that exists under base.
	start := cg
	for {
		if _, err := os.Stat(filepath.Join(base, start)); err == nil {
			break
		}
		if start == "/" {
			return model.None(), false
		}
		parts := strings.SplitN(strings.TrimPrefix(start, "/"), "/", 2)
		if len(parts) < 2 {
			start = "/"
		} else {
			start = "/" + parts[1]
		}
	}
	lim = model.None()
	for p := start; ; p = path.Dir(p) {
		if s, err := readSmall(filepath.Join(base, p, file)); err == nil {
			found = true
			if v, ok := parseLimit(s); ok && (!lim.Valid || v < lim.V) {
				lim = model.Some(v)
			}
		}
		if p == "/" {
			break
		}
	}
	return lim, found
}

// parseLimit reads a cgroup limit: "max" (v2) or a huge v1 value means none.
func parseLimit(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "max" || s == "" {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || v >= 1<<62 {
		return 0, false
	}
	return float64(v), true
}

// bracketed returns the [selected] word of a sysfs choice list.
func bracketed(s string) string {
	for _, w := range strings.Fields(s) {
		if strings.HasPrefix(w, "[") && strings.HasSuffix(w, "]") {
			return strings.Trim(w, "[]")
		}
	}
	return strings.TrimSpace(s)
}

// readStatusKB reads "Name:   1234 kB" from a /proc status-style file.
func readStatusKB(file, name string) (float64, error) {
	s, err := readSmall(file)
	if err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || k != name {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			break
		}
		n, err := strconv.ParseFloat(f[0], 64)
		if err != nil || math.IsNaN(n) || n < 0 {
			break
		}
		if len(f) > 1 && strings.EqualFold(f[1], "kB") {
			n *= 1024
		}
		return n, nil
	}
	return 0, errNoField
}

var errNoField = errors.New("no such field")

// readSmall reads a small file (procfs and sysfs files are a few KB at most).
func readSmall(file string) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", err //nolint:wrapcheck // described by describeFSErr
	}
	defer func() { _ = f.Close() }()
	b, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil && len(b) == 0 {
		return "", err //nolint:wrapcheck // described by describeFSErr
	}
	return string(b), nil
}

// describeFSErr says in a few words why a host file could not be read.
func describeFSErr(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "not available"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	case errors.Is(err, errNoField):
		return "not reported"
	}
	return "unreadable"
}
