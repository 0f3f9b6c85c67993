package redisx

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis-memtop/redis-memtop/model"
)

// Networks for Options.Network.
const (
	NetworkTCP  = "tcp"
	NetworkUnix = "unix"
)

// Defaults for Options.
const (
	DefaultHost           = "127.0.0.1"
	DefaultPort           = 6379
	DefaultDialTimeout    = 5 * time.Second
	DefaultCommandTimeout = 3 * time.Second
	DefaultClientName     = "redis-memtop"
	DefaultProtocol       = 3
)

// TLSOptions configure TLS (rediss://, --tls).
type TLSOptions struct {
	Enabled  bool
	CACert   string // PEM file of the CA that signed the server certificate; "" = system roots
	Cert     string // client certificate (PEM file) for mutual TLS
	Key      string // its private key (PEM file)
	SNI      string // server name to verify and send; "" = the host of Addr
	Insecure bool   // skip certificate verification (--insecure)
}

// Options hold everything needed to connect to one server.
type Options struct {
	Network        string // "tcp" (default) or "unix"
	Addr           string // host:port, or the socket path for unix
	DB             int
	Username       string // ACL user; "" = default
	Password       string // never printed: see Redacted
	TLS            TLSOptions
	DialTimeout    time.Duration // 0 = DefaultDialTimeout
	CommandTimeout time.Duration // per command; 0 = DefaultCommandTimeout
	AllowWrites    bool          // lets the guard pass the few write commands (BGSAVE, MEMORY PURGE…)
	ClientName     string        // CLIENT SETNAME; "" = DefaultClientName
	// Protocol is 2 or 3 (0 = 3). With 3, servers without HELLO (4.0, 5.0)
	// fall back to RESP2 on their own.
	Protocol int
}

// DefaultOptions are 127.0.0.1:6379, db 0, RESP3, with the default timeouts.
func DefaultOptions() Options {
	return Options{
		Network:        NetworkTCP,
		Addr:           net.JoinHostPort(DefaultHost, strconv.Itoa(DefaultPort)),
		DialTimeout:    DefaultDialTimeout,
		CommandTimeout: DefaultCommandTimeout,
		ClientName:     DefaultClientName,
		Protocol:       DefaultProtocol,
	}
}

// withDefaults fills the zero values.
func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.Network == "" {
		o.Network = NetworkTCP
		if strings.HasPrefix(o.Addr, "/") {
			o.Network = NetworkUnix
		}
	}
	if o.Addr == "" {
		o.Addr = d.Addr
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = d.DialTimeout
	}
	if o.CommandTimeout <= 0 {
		o.CommandTimeout = d.CommandTimeout
	}
	if o.ClientName == "" {
		o.ClientName = d.ClientName
	}
	if o.Protocol == 0 {
		o.Protocol = d.Protocol
	}
	return o
}

// Validate reports options that cannot work.
func (o Options) Validate() error {
	switch o.Network {
	case "", NetworkTCP, NetworkUnix:
	default:
		return fmt.Errorf("redisx: network %q: want tcp or unix", o.Network)
	}
	if o.DB < 0 {
		return fmt.Errorf("redisx: database %d: must be 0 or more", o.DB)
	}
	if o.Protocol != 0 && o.Protocol != 2 && o.Protocol != 3 {
		return fmt.Errorf("redisx: protocol %d: want 2 or 3", o.Protocol)
	}
	if o.Network == NetworkUnix && o.TLS.Enabled {
		return errors.New("redisx: TLS over a unix socket is not supported")
	}
	if (o.TLS.Cert == "") != (o.TLS.Key == "") {
		return errors.New("redisx: --cert and --key go together")
	}
	return nil
}

// errURI is the one error ParseURI returns, without the URI itself (it may
// hold a password).
func errURI(format string, a ...any) error {
	return fmt.Errorf("redisx: bad URI: "+format, a...)
}

// ParseURI reads a target:
//
//	redis://[user[:pass]@]host[:port][/db][?db=N&protocol=2]
//	rediss://…                         (TLS)
//	unix://[user[:pass]@]/path/redis.sock[?db=N]
//	host:port, host, [::1]:6379, /path/redis.sock
//
// Errors never contain the URI or the password.
func ParseURI(s string) (Options, error) {
	o := DefaultOptions()
	s = strings.TrimSpace(s)
	if s == "" {
		return o, nil
	}
	if !strings.Contains(s, "://") {
		return parseHostPort(o, s)
	}
	u, err := url.Parse(s)
	if err != nil {
		return o, errURI("cannot parse it (check the scheme, the port and %%-encode special characters in the password)")
	}
	if u.User != nil {
		o.Username = u.User.Username()
		if p, ok := u.User.Password(); ok {
			o.Password = p
		}
	}
	switch scheme := strings.ToLower(u.Scheme); scheme {
	case "redis", "rediss", "valkey", "valkeys":
		o.TLS.Enabled = scheme == "rediss" || scheme == "valkeys"
		host, port := u.Hostname(), u.Port()
		if host == "" {
			host = DefaultHost
		}
		if port == "" {
			port = strconv.Itoa(DefaultPort)
		}
		if err := checkPort(port); err != nil {
			return o, err
		}
		o.Addr = net.JoinHostPort(host, port)
		if p := strings.Trim(u.Path, "/"); p != "" {
			db, err := strconv.Atoi(p)
			if err != nil || db < 0 {
				return o, errURI("database %q in the path is not a number", p)
			}
			o.DB = db
		}
	case NetworkUnix:
		path := u.Path
		if path == "" {
			path = u.Opaque
		}
		if path == "" {
			return o, errURI("unix:// needs a socket path, e.g. unix:///run/redis/redis.sock")
		}
		o.Network = NetworkUnix
		o.Addr = path
	default:
		return o, errURI("unknown scheme %q (want redis://, rediss:// or unix://)", u.Scheme)
	}
	for key, vals := range u.Query() {
		v := ""
		if len(vals) > 0 {
			v = vals[len(vals)-1]
		}
		switch key {
		case "db":
			db, err := strconv.Atoi(v)
			if err != nil || db < 0 {
				return o, errURI("db=%q is not a database number", v)
			}
			o.DB = db
		case "protocol":
			p, err := strconv.Atoi(v)
			if err != nil || (p != 2 && p != 3) {
				return o, errURI("protocol=%q: want 2 or 3", v)
			}
			o.Protocol = p
		case "client_name":
			o.ClientName = v
		default:
			return o, errURI("unknown parameter %q (known: db, protocol, client_name)", key)
		}
	}
	return o, nil
}

func parseHostPort(o Options, s string) (Options, error) {
	if strings.HasPrefix(s, "/") || strings.HasPrefix(s, "./") {
		o.Network = NetworkUnix
		o.Addr = s
		return o, nil
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		// No port: a bare host name or IP (an IPv6 literal without brackets too).
		host, port = strings.Trim(s, "[]"), strconv.Itoa(DefaultPort)
	}
	if host == "" {
		host = DefaultHost
	}
	if strings.ContainsAny(host, "/@ ") {
		return o, errURI("%q is not a host[:port]", s)
	}
	if err := checkPort(port); err != nil {
		return o, err
	}
	o.Addr = net.JoinHostPort(host, port)
	return o, nil
}

func checkPort(p string) error {
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 {
		return errURI("port %q is not a number from 1 to 65535", p)
	}
	return nil
}

// Target is the server and database as short text, e.g. "127.0.0.1:6379/0"
// or "/run/redis.sock/0". It never contains credentials.
func (o Options) Target() string {
	o = o.withDefaults()
	return o.Addr + "/" + strconv.Itoa(o.DB)
}

// Redacted is the target as a URI without the password, for headers, reports
// and recordings: "rediss://alice@10.0.0.5:6380/2",
// "unix:///run/redis.sock?db=0". A user name is kept; a password never.
func (o Options) Redacted() string {
	o = o.withDefaults()
	var b strings.Builder
	if o.Network == NetworkUnix {
		b.WriteString("unix://")
		if o.Username != "" {
			b.WriteString(url.PathEscape(o.Username))
			b.WriteString("@")
		}
		b.WriteString(o.Addr)
		b.WriteString("?db=")
		b.WriteString(strconv.Itoa(o.DB))
		return b.String()
	}
	if o.TLS.Enabled {
		b.WriteString("rediss://")
	} else {
		b.WriteString("redis://")
	}
	if o.Username != "" {
		b.WriteString(url.PathEscape(o.Username))
		b.WriteString("@")
	}
	b.WriteString(o.Addr)
	b.WriteString("/")
	b.WriteString(strconv.Itoa(o.DB))
	return b.String()
}

// String is Redacted, so printing Options with %v or %s cannot leak the
// password.
func (o Options) String() string { return o.Redacted() }

// GoString keeps %#v from printing the password too.
func (o Options) GoString() string { return "redisx.Options(" + o.Redacted() + ")" }

// CommandTarget is the server as the commands the checklist suggests must
// name it (redis-cli's -h/-p or -s, -n, --tls, --cacert, --sni, --user):
// never the password, only whether one is needed.
func (o Options) CommandTarget() model.CommandTarget {
	o = o.withDefaults()
	t := model.CommandTarget{DB: o.DB, User: o.Username, Auth: o.Password != ""}
	if o.Network == NetworkUnix {
		t.Socket = o.Addr
		return t
	}
	host, port, err := net.SplitHostPort(o.Addr)
	if err != nil {
		host, port = o.Addr, strconv.Itoa(DefaultPort)
	}
	t.Host = host
	t.Port, _ = strconv.Atoi(port)
	if o.TLS.Enabled {
		t.TLS, t.CACert, t.SNI = true, o.TLS.CACert, o.TLS.SNI
		t.Cert, t.Key, t.Insecure = o.TLS.Cert, o.TLS.Key, o.TLS.Insecure
	}
	return t
}
