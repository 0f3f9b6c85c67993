package model

import "time"

// Unavailable records a command the tool could not use and why
// ("NOPERM: this user has no permissions to run the 'config|get' command",
// "unknown command (renamed or blocked by the provider)").
type Unavailable struct {
	Command string `json:"command"`
	Reason  string `json:"reason"`
}

// Config holds the memory-related CONFIG GET values, by name. Nil in Extras
// means it was not read; Err set means it could not be.
type Config struct {
	Values map[string]string `json:"values,omitempty"`
	Err    string            `json:"err,omitempty"`
}

// Get returns a config value and whether the server reported it.
func (c *Config) Get(name string) (string, bool) {
	if c == nil || c.Values == nil {
		return "", false
	}
	v, ok := c.Values[name]
	return v, ok
}

// ClientInfo is one CLIENT LIST entry, reduced to what memory triage needs.
// Name, Addr and Cmd are server strings: escape them before drawing.
type ClientInfo struct {
	ID     string `json:"id"`
	Addr   string `json:"addr"`
	Name   string `json:"name,omitempty"`
	Flags  string `json:"flags,omitempty"`
	Cmd    string `json:"cmd,omitempty"`
	Age    Opt    `json:"age"`
	Idle   Opt    `json:"idle"`
	Qbuf   Opt    `json:"qbuf"`
	Omem   Opt    `json:"omem"`
	TotMem Opt    `json:"tot_mem"` // absent before Redis 6.0
}

// Clients summarises CLIENT LIST: how many, their memory, the biggest.
type Clients struct {
	Count     int          `json:"count"`
	TotalMem  Opt          `json:"total_mem"`     // sum of tot-mem (6.0+)
	TotalOmem Opt          `json:"total_omem"`    // sum of output buffers
	Top       []ClientInfo `json:"top,omitempty"` // biggest by tot-mem (or omem), at most a few
	Err       string       `json:"err,omitempty"`
}

// Doctor is MEMORY DOCTOR's free text (not parseable: shown as it is, escaped).
type Doctor struct {
	Text string `json:"text,omitempty"`
	Err  string `json:"err,omitempty"`
}

// Allocator is the allocator build as MEMORY MALLOC-STATS describes it
// (read once a connection: a build does not change while it runs).
type Allocator struct {
	// Version is jemalloc's own "Version:" line, e.g. "5.3.0-0-g0".
	Version string `json:"version,omitempty"`
	Err     string `json:"err,omitempty"`
}

// HostFacts are read from this machine when the server runs on it (its
// process_id exists here and its executable matches); otherwise Local is false
// and Reason says why.
type HostFacts struct {
	Local       bool   `json:"local"`
	Reason      string `json:"reason,omitempty"`
	VMSwap      Opt    `json:"vm_swap_bytes"`
	Overcommit  Opt    `json:"overcommit_memory"`
	THP         string `json:"transparent_hugepage,omitempty"` // e.g. "always", "madvise", "never"
	CgroupLimit Opt    `json:"cgroup_memory_limit"`
	HostRAM     Opt    `json:"host_ram_bytes"`
	// MemAvailable is /proc/meminfo's estimate of what can be allocated
	// without swapping: the room a fork's copy-on-write has.
	MemAvailable Opt `json:"mem_available_bytes"`
	// SwapTotal / SwapFree are the host's swap (/proc/meminfo); used swap
	// is their difference.
	SwapTotal Opt `json:"swap_total_bytes"`
	SwapFree  Opt `json:"swap_free_bytes"`
	// Swappiness is vm.swappiness.
	Swappiness Opt `json:"swappiness"`
	// Notes say what could not be read, or what an absent value means
	// ("cgroup memory.max: max (no limit)", "VmSwap: permission denied").
	Notes []string `json:"notes,omitempty"`
}

// Extras are the slower reads beside INFO (every few seconds, not every
// poll): config, clients, MEMORY DOCTOR, host facts, and which commands were
// denied.
type Extras struct {
	Time        time.Time     `json:"time"`
	Config      *Config       `json:"config,omitempty"`
	Clients     *Clients      `json:"clients,omitempty"`
	Doctor      *Doctor       `json:"doctor,omitempty"`
	Host        *HostFacts    `json:"host,omitempty"`
	Unavailable []Unavailable `json:"unavailable,omitempty"`

	// Slots are the slot migrations under way on this node (its own CLUSTER
	// NODES line); nil when the server is not in cluster mode or was not
	// asked.
	Slots *SlotMoves `json:"slot_moves,omitempty"`
	// Allocator is what MEMORY MALLOC-STATS says of the allocator build;
	// nil when not read.
	Allocator *Allocator `json:"allocator,omitempty"`
}

// SlotMoves are the slots a cluster node is migrating to, or importing
// from, another node (a reshard under way).
type SlotMoves struct {
	Migrating []SlotMove `json:"migrating,omitempty"`
	Importing []SlotMove `json:"importing,omitempty"`
	Err       string     `json:"err,omitempty"`
}
