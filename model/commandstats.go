package model

import "slices"

// CommandStat is one line of INFO commandstats: a command's calls and the
// microseconds spent in it since the server started (or CONFIG RESETSTAT).
type CommandStat struct {
	Name  string `json:"name"` // lower case, as the server names it
	Calls Opt    `json:"calls"`
	Usec  Opt    `json:"usec"`
}

// ONReadCommands are the reads whose cost grows with the size of what they
// read (a whole collection, a range, the keyspace): the guides' "O(N)
// commands" that block the server and fill client output buffers on big
// keys. The sample keeps these only, so a recording stays small.
var ONReadCommands = []string{
	"keys", "hgetall", "hkeys", "hvals", "smembers", "sunion", "sinter", "sdiff",
	"lrange", "zrange", "zrevrange", "zrangebyscore", "zrevrangebyscore", "zrangebylex",
	"zrevrangebylex", "xrange", "xrevrange", "sort", "sort_ro",
}

// IsONRead reports whether a command (lower case) is one of ONReadCommands.
func IsONRead(name string) bool { return slices.Contains(ONReadCommands, name) }

// Command returns the named command's figures, when the sample has them.
func (s *Sample) Command(name string) (CommandStat, bool) {
	for _, c := range s.Commands {
		if c.Name == name {
			return c, true
		}
	}
	return CommandStat{}, false
}
