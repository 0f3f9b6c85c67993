package redisx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/redis-memtop/redis-memtop/model"
)

// Caps are what the connected server can do, learnt once at Connect from its
// product and version (reference/redis-info-fields.md §1, §5).
type Caps struct {
	MultiSectionInfo  bool // INFO server memory … in one call (Redis 7.0+, Valkey, Dragonfly)
	Errorstats        bool // INFO errorstats (6.2+): OOM error counts
	HiddenPersistence bool // Dragonfly: Persistence only when asked for by name
	CurrentCOW        bool // current_cow_size while a fork runs (6.2+)
	CurrentCOWPeak    bool // current_cow_peak (7.0+)
	Fork              bool // the server forks for BGSAVE / AOF rewrite (not Dragonfly)
	ClientNoTouch     bool // CLIENT NO-TOUCH (7.2+): scanning does not touch LRU/LFU
	ClientTotMem      bool // CLIENT LIST has tot-mem (6.0+; not Dragonfly)
	MemoryUsage       bool // MEMORY USAGE / STATS (4.0+)
	MemoryDoctor      bool // MEMORY DOCTOR (4.0+; not Dragonfly)
	ObjectEncoding    bool // OBJECT ENCODING (not Dragonfly)
	ScanType          bool // SCAN … TYPE (6.0+)
	ListpackNames     bool // *-max-listpack-* config names (7.0+)
	Keysizes          bool // INFO KEYSIZES histograms (Redis 8.0+)
	MemorySection     bool // INFO has a Memory section (not on Sentinel)
}

// Client is a guarded connection to one server. It is safe for concurrent use
// by the poller, the readers and the scan worker.
type Client struct {
	opts    Options
	rdb     *redis.Client
	product model.Product
	version string
	compat  Version // the Redis version whose features the server has
	mode    string
	caps    Caps
	first   Info
	notes   []string

	mu     sync.Mutex
	denied map[string]string // command → why it cannot be used (cached)
	alloc  *model.Allocator  // MEMORY MALLOC-STATS, read once (a build does not change while it runs)
}

var quietOnce sync.Once

// quietLogger drops go-redis's own log lines: they would be written to stderr
// under the full-screen UI. Failures reach the user through our errors.
type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

// Connect builds the guarded go-redis client, pings the server and reads INFO
// once to learn the product, version, mode and capabilities. Its error is a
// *ConnectError: one line, classified, password-free, with a hint.
func Connect(ctx context.Context, o Options) (*Client, error) {
	o = o.withDefaults()
	if err := o.Validate(); err != nil {
		return nil, &ConnectError{Kind: KindConfig, Target: o.Addr, Reason: strings.TrimPrefix(err.Error(), "redisx: "), cause: err}
	}
	tlsCfg, err := buildTLS(o)
	if err != nil {
		return nil, &ConnectError{Kind: KindConfig, Target: o.Addr, Reason: err.Error(), cause: err}
	}
	quietOnce.Do(func() { redis.SetLogger(quietLogger{}) })

	name := o.ClientName
	rdb := redis.NewClient(&redis.Options{
		Network:   o.Network,
		Addr:      o.Addr,
		Username:  o.Username,
		Password:  o.Password,
		DB:        o.DB,
		Protocol:  o.Protocol,
		TLSConfig: tlsCfg,
		// The name is set in OnConnect, not through ClientName: go-redis
		// fails the whole connection when CLIENT SETNAME is refused, and an
		// ACL user without +client must still be able to monitor.
		OnConnect: func(ctx context.Context, cn *redis.Conn) error {
			err := cn.ClientSetName(ctx, name).Err()
			if err != nil && !isServerReply(err) {
				return err //nolint:wrapcheck // go-redis drops the connection; the command that asked for it reports the error
			}
			return nil
		},
		DialTimeout:           o.DialTimeout,
		ReadTimeout:           o.CommandTimeout,
		WriteTimeout:          o.CommandTimeout,
		ContextTimeoutEnabled: true,
		DialerRetries:         1,  // the poller owns the back-off
		MaxRetries:            -1, // no silent retries: a failed poll is a gap
		PoolSize:              4,  // poller, readers, scan worker, one spare
		PipelinePoolSize:      -1, // pipelines share the main pool
		DisableIdentity:       true,
		MaintNotificationsConfig: &maintnotifications.Config{
			Mode: maintnotifications.ModeDisabled,
		},
	})
	rdb.AddHook(guard{allowWrites: o.AllowWrites})

	c := &Client{opts: o, rdb: rdb, denied: map[string]string{}}
	if err := c.probe(ctx); err != nil {
		_ = rdb.Close()
		var ce *ConnectError
		if errors.As(err, &ce) {
			return nil, ce
		}
		return nil, newConnectError(o, err)
	}
	return c, nil
}

// isServerReply reports an error reply from the server (as opposed to a
// network or local failure).
func isServerReply(err error) bool {
	var rerr redis.Error
	return errors.As(err, &rerr)
}

func (c *Client) probe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, c.opts.DialTimeout+c.opts.CommandTimeout)
	defer cancel()
	if err := c.rdb.Ping(ctx).Err(); err != nil && !strings.HasPrefix(err.Error(), "LOADING") {
		return fmt.Errorf("redisx: PING: %w", err)
	}
	// Plain INFO (the default sections): cheap, works on every version and
	// product, and holds the KeyDB-only keys product detection looks for.
	text, err := c.rdb.Info(ctx).Result()
	if err != nil {
		return fmt.Errorf("redisx: INFO: %w", err)
	}
	info := ParseInfo(text)
	c.first = info
	c.product, c.version = DetectProduct(info)
	c.mode = ServerMode(info)
	rv, _ := info.Get("redis_version")
	c.compat, _ = ParseVersion(rv)
	c.caps = capsFor(c.product, c.compat, info)
	switch c.mode {
	case ModeSentinel:
		c.notes = append(c.notes, "this is a Sentinel: it has no memory figures; connect to a master or replica it monitors (SENTINEL MASTERS lists them)")
	case ModeCluster:
		c.notes = append(c.notes, "this is one Redis Cluster node: the figures are for this node only")
	}
	return nil
}

// capsFor derives the capabilities. Valkey, KeyDB and the managed services
// report the Redis version they are compatible with in redis_version; only
// Dragonfly's redis_version means nothing.
func capsFor(p model.Product, v Version, info Info) Caps {
	hasMemory := info.HasSection("memory")
	if p == model.ProductDragonfly {
		return Caps{
			MultiSectionInfo:  true,
			Errorstats:        true,
			HiddenPersistence: true,
			MemoryUsage:       true,
			ScanType:          true,
			MemorySection:     hasMemory,
		}
	}
	return Caps{
		MultiSectionInfo: v.AtLeast(7, 0, 0) && p != model.ProductKeyDB,
		Errorstats:       v.AtLeast(6, 2, 0),
		CurrentCOW:       v.AtLeast(6, 2, 0),
		CurrentCOWPeak:   v.AtLeast(7, 0, 0),
		Fork:             true,
		ClientNoTouch:    v.AtLeast(7, 2, 0),
		ClientTotMem:     v.AtLeast(6, 0, 0),
		MemoryUsage:      v.AtLeast(4, 0, 0),
		MemoryDoctor:     v.AtLeast(4, 0, 0),
		ObjectEncoding:   true,
		ScanType:         v.AtLeast(6, 0, 0),
		ListpackNames:    v.AtLeast(7, 0, 0),
		Keysizes:         p == model.ProductRedis && v.AtLeast(8, 0, 0),
		MemorySection:    hasMemory,
	}
}

func buildTLS(o Options) (*tls.Config, error) {
	if !o.TLS.Enabled {
		return nil, nil //nolint:nilnil // no TLS is not an error
	}
	host := o.Addr
	if h, _, err := net.SplitHostPort(o.Addr); err == nil {
		host = h
	}
	cfg := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         host,
		InsecureSkipVerify: o.TLS.Insecure, //nolint:gosec // only with --insecure, which the user asked for
	}
	if o.TLS.SNI != "" {
		cfg.ServerName = o.TLS.SNI
	}
	if o.TLS.CACert != "" {
		pem, err := os.ReadFile(o.TLS.CACert)
		if err != nil {
			return nil, fmt.Errorf("cannot read --cacert %s: %w", o.TLS.CACert, errors.Unwrap(err))
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--cacert %s holds no PEM certificate", o.TLS.CACert)
		}
		cfg.RootCAs = pool
	}
	if o.TLS.Cert != "" {
		pair, err := tls.LoadX509KeyPair(o.TLS.Cert, o.TLS.Key)
		if err != nil {
			return nil, fmt.Errorf("cannot load --cert/--key: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}

// Close closes the connections.
func (c *Client) Close() error {
	if err := c.rdb.Close(); err != nil {
		return fmt.Errorf("redisx: close: %w", err)
	}
	return nil
}

// Raw is the guarded go-redis client, for the scan worker's pipelines. The
// guard applies to everything sent through it.
func (c *Client) Raw() *redis.Client { return c.rdb }

// Options are the options the client was built with (defaults filled in).
func (c *Client) Options() Options { return c.opts }

// Product is the server family detected at Connect.
func (c *Client) Product() model.Product { return c.product }

// Version is the real server version (valkey_version, dragonfly_version …).
func (c *Client) Version() string { return c.version }

// CompatVersion is the Redis version whose features the server has
// (redis_version; meaningless on Dragonfly).
func (c *Client) CompatVersion() Version { return c.compat }

// Mode is redis_mode / server_mode: standalone, cluster or sentinel.
func (c *Client) Mode() string { return c.mode }

// Caps are the server's capabilities.
func (c *Client) Caps() Caps { return c.caps }

// Notes are facts about the target the user should read once (a Sentinel
// has no memory figures; a cluster node is one node).
func (c *Client) Notes() []string { return append([]string(nil), c.notes...) }

// FirstInfo is the INFO read at Connect.
func (c *Client) FirstInfo() Info { return c.first }

// describe is Describe with this client's password.
func (c *Client) describe(err error) string { return Describe(err, c.opts.Password) }

// withTimeout bounds one call by the command timeout.
func (c *Client) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.opts.CommandTimeout)
}
