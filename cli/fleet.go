package cli

import (
	"context"
	"flag"
	"io"
	"os"

	"github.com/redis-memtop/redis-memtop/app"
	"github.com/redis-memtop/redis-memtop/redisx"
)

// runFleet watches several independent servers, each named by a URI, in one
// overview table; enter drills into one. The connection flags (-a, --user,
// --tls …) apply to every server whose URI does not say otherwise.
func runFleet(ctx context.Context, fs *flag.FlagSet, cf *connFlags, uf uiFlags, uris []string, stdin *os.File, stderr io.Writer) error {
	targets, err := fleetTargets(ctx, fs, cf, uris, stdin, stderr)
	if err != nil {
		return err
	}
	return app.MonitorFleet(ctx, targets, uf.config()) //nolint:wrapcheck // app's errors are one clear line
}

// fleetTargets are the servers the URIs name, with the connection flags
// applied to each (the monitor's fleet and the agent share them).
func fleetTargets(ctx context.Context, fs *flag.FlagSet, cf *connFlags, uris []string, stdin *os.File, stderr io.Writer) ([]redisx.Options, error) {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, name := range []string{"h", "p", "s", "c", "cluster", "sentinel", "master-name"} {
		if set[name] {
			dash := "-"
			if len(name) > 1 {
				dash = "--"
			}
			return nil, usagef("%s%s does not go with several servers: name each one by a URI (redis://host:port/db)", dash, name)
		}
	}
	targets := make([]redisx.Options, 0, len(uris))
	seen := map[string]bool{}
	asked := ""
	for i, u := range uris {
		warn := stderr
		if i > 0 {
			warn = io.Discard // the -a warning once is enough
		}
		o, err := cf.options(ctx, fs, u, stdin, warn)
		if err != nil {
			return nil, err
		}
		if i == 0 && cf.askpass {
			// Asked once; the servers whose URI has no password of its own
			// get the same one, as if given by -a.
			asked = o.Password
			cf.askpass = false
			defer func() { cf.askpass = true }()
		}
		if o.Password == "" && asked != "" {
			o.Password = asked
		}
		id := redisx.FleetID(o)
		if seen[id] {
			return nil, usagef("%s is named twice", id)
		}
		seen[id] = true
		targets = append(targets, o)
	}
	return targets, nil
}
