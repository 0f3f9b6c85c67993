package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"

	"github.com/redis-memtop/redis-memtop/app"
	"github.com/redis-memtop/redis-memtop/redisx"
)

// connFlags are the connection flags every subcommand shares; they follow
// redis-cli so muscle memory works.
type connFlags struct {
	host, user, pass        string
	socket                  string
	port, db                int
	askpass                 bool
	tls, insecure           bool
	cacert, cert, key, sni  string
	cluster                 bool
	connectTimeout, timeout time.Duration
	allowWrites             bool
	// Sentinel: the master is resolved through these sentinels by name.
	sentinels, masterName, sentinelPass string
}

func (c *connFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.host, "h", "127.0.0.1", "server `host`name")
	fs.StringVar(&c.socket, "s", "", "server unix `socket` (overrides -h and -p)")
	fs.IntVar(&c.port, "p", 6379, "server `port`")
	fs.IntVar(&c.db, "n", 0, "database `number`")
	fs.StringVar(&c.user, "user", "", "ACL user `name`")
	fs.StringVar(&c.pass, "a", "", "`password` (unsafe on a command line: prefer REDISCLI_AUTH or --askpass)")
	fs.BoolVar(&c.askpass, "askpass", false, "read the password from the terminal, without echo")
	fs.BoolVar(&c.tls, "tls", false, "connect with TLS")
	fs.StringVar(&c.cacert, "cacert", "", "CA certificate `file` to verify the server")
	fs.StringVar(&c.cert, "cert", "", "client certificate `file` (mutual TLS)")
	fs.StringVar(&c.key, "key", "", "client private key `file` (mutual TLS)")
	fs.StringVar(&c.sni, "sni", "", "TLS server `name` (SNI)")
	fs.BoolVar(&c.insecure, "insecure", false, "do not verify the server's TLS certificate")
	fs.BoolVar(&c.cluster, "c", false, "treat the target as a Redis Cluster")
	fs.BoolVar(&c.cluster, "cluster", false, "treat the target as a Redis Cluster")
	fs.DurationVar(&c.connectTimeout, "connect-timeout", redisx.DefaultDialTimeout, "time to wait for the connection")
	fs.DurationVar(&c.timeout, "timeout", redisx.DefaultCommandTimeout, "time to wait for one command")
	fs.BoolVar(&c.allowWrites, "allow-writes", false, "allow the few write actions (BGSAVE, MEMORY PURGE…), each behind a confirmation")
	fs.StringVar(&c.sentinels, "sentinel", "", "find the master through these Sentinels (`host:port[,host:port…]`) and follow its failovers")
	fs.StringVar(&c.masterName, "master-name", "", "the `name` of the master the Sentinels monitor (with --sentinel)")
	fs.StringVar(&c.sentinelPass, "sentinel-password", "", "`password` of the Sentinels (default none; REDISCLI_SENTINEL_AUTH also works)")
}

// sentinel validates the Sentinel flags against the master's options.
func (c *connFlags) sentinel(o redisx.Options) (*app.Sentinel, error) {
	if c.sentinels == "" {
		if c.masterName != "" {
			return nil, usagef("--master-name goes with --sentinel")
		}
		return nil, nil //nolint:nilnil // no Sentinel asked for is not an error
	}
	if c.masterName == "" {
		return nil, usagef("--sentinel needs --master-name, the name the Sentinels know the master by")
	}
	if c.cluster {
		return nil, usagef("--sentinel and --cluster do not go together")
	}
	if o.Network == redisx.NetworkUnix {
		return nil, usagef("--sentinel resolves a TCP address: it does not go with a unix socket")
	}
	st := &app.Sentinel{Name: c.masterName, Opts: o}
	for a := range strings.SplitSeq(c.sentinels, ",") {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(a); err != nil {
			a = net.JoinHostPort(a, "26379")
		}
		st.Addrs = append(st.Addrs, a)
	}
	if len(st.Addrs) == 0 {
		return nil, usagef("--sentinel needs at least one host:port")
	}
	st.Opts.Username, st.Opts.Password = "", c.sentinelPass
	if st.Opts.Password == "" {
		st.Opts.Password = os.Getenv("REDISCLI_SENTINEL_AUTH")
	}
	return st, nil
}

// options turns the flags, the optional URI and the environment into
// redisx.Options. Flags given explicitly override the URI.
func (c *connFlags) options(ctx context.Context, fs *flag.FlagSet, uri string, stdin *os.File, stderr io.Writer) (redisx.Options, error) {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	o := redisx.DefaultOptions()
	if uri != "" {
		var err error
		if o, err = redisx.ParseURI(uri); err != nil {
			return o, usageErr(err)
		}
	}
	switch {
	case c.socket != "":
		o.Network, o.Addr = redisx.NetworkUnix, c.socket
	case set["h"] || set["p"]:
		o.Network, o.Addr = redisx.NetworkTCP, hostPort(o, uri != "", set, c.host, c.port)
	}
	if set["n"] {
		o.DB = c.db
	}
	if set["user"] {
		o.Username = c.user
	}
	switch {
	case set["a"]:
		fmt.Fprintln(stderr, "Warning: Using a password with '-a' option on the command line interface may not be safe.")
		o.Password = c.pass
	case c.askpass:
		pw, err := askPassword(ctx, stdin, stderr)
		if err != nil {
			return o, err
		}
		o.Password = pw
	case o.Password == "" && os.Getenv("REDISCLI_AUTH") != "":
		o.Password = os.Getenv("REDISCLI_AUTH")
	}
	if c.tls || c.cacert != "" || c.cert != "" || c.key != "" || c.sni != "" || c.insecure {
		o.TLS.Enabled = true
	}
	if c.cacert != "" {
		o.TLS.CACert = c.cacert
	}
	if c.cert != "" {
		o.TLS.Cert = c.cert
	}
	if c.key != "" {
		o.TLS.Key = c.key
	}
	if c.sni != "" {
		o.TLS.SNI = c.sni
	}
	o.TLS.Insecure = o.TLS.Insecure || c.insecure
	o.DialTimeout, o.CommandTimeout = c.connectTimeout, c.timeout
	o.AllowWrites = c.allowWrites
	if err := o.Validate(); err != nil {
		return o, usageErr(err)
	}
	return o, nil
}

// hostPort is the address -h / -p give, keeping the URI's host or port for
// the one that was not given.
func hostPort(o redisx.Options, fromURI bool, set map[string]bool, host string, port int) string {
	p := strconv.Itoa(port)
	h, up, err := net.SplitHostPort(o.Addr)
	if !fromURI || o.Network == "unix" || err != nil {
		return net.JoinHostPort(host, p)
	}
	if !set["h"] {
		host = h
	}
	if !set["p"] {
		p = up
	}
	return net.JoinHostPort(host, p)
}

// askPassword reads a password from the terminal without echo. An
// interrupt (ctx ends) gives the terminal back as it was.
func askPassword(ctx context.Context, stdin *os.File, stderr io.Writer) (string, error) {
	if stdin == nil || !term.IsTerminal(stdin.Fd()) {
		return "", usagef("--askpass needs a terminal on standard input")
	}
	state, err := term.GetState(stdin.Fd())
	if err != nil {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	fmt.Fprint(stderr, "Please input password: ")
	type read struct {
		b   []byte
		err error
	}
	got := make(chan read, 1)
	go func() {
		b, err := term.ReadPassword(stdin.Fd())
		got <- read{b, err}
	}()
	select {
	case r := <-got:
		fmt.Fprintln(stderr)
		if r.err != nil {
			return "", fmt.Errorf("reading the password: %w", r.err)
		}
		return strings.TrimRight(string(r.b), "\r\n"), nil
	case <-ctx.Done():
		_ = term.Restore(stdin.Fd(), state)
		fmt.Fprintln(stderr)
		return "", errors.New("interrupted")
	}
}

// parseArgs parses flags that may come before or after the URI, as users
// type them both ways.
func parseArgs(fs *flag.FlagSet, args []string) (uri string, err error) {
	positional, err := parseArgsN(fs, args)
	if err != nil {
		return "", err
	}
	switch len(positional) {
	case 0:
		return "", nil
	case 1:
		return positional[0], nil
	default:
		return "", usagef("one target at most, got %d: %s", len(positional), strings.Join(positional, " "))
	}
}

// parseArgsN is parseArgs for commands that take several targets (the
// monitor's fleet view).
func parseArgsN(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	// A mistake is one line (Run adds where the help is); the whole usage
	// is printed only when asked for with -h / --help.
	out := fs.Output()
	fs.SetOutput(io.Discard)
	defer fs.SetOutput(out)
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(out)
				fs.Usage()
				return nil, err //nolint:wrapcheck // Run treats it as a clean exit
			}
			return nil, usageErr(err)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
	return positional, nil
}
