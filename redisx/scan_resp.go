package redisx

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/redis/go-redis/v9"
)

// The scan's hot path speaks RESP2 itself. A full pass sends three commands
// a key; through go-redis each costs a command object, boxed arguments, a
// pass through the guard hook and a reply object — about 5 µs of client CPU
// a key, more than the server spends answering (bench/README.md). Here a
// command is a few appends to a buffer and a reply a few bytes parsed in
// place: about 1 µs a key.
//
// Safety is unchanged: the connection is dialled with the base client's own
// dialer (TLS included) and authenticated with its credentials, and every
// command shape the worker can send is checked against the read-only guard
// (Check) before the first byte goes out (scanCommandShapes). Connections
// carry the name redis-memtop like the rest of the tool.

// replyError is an error reply from the server. It satisfies go-redis's
// redis.Error, so Denial and isServerReply treat it like theirs.
type replyError string

func (e replyError) Error() string { return string(e) }

// RedisError marks a server reply (the go-redis redis.Error interface).
func (replyError) RedisError() {}

var _ redis.Error = replyError("")

// errNil is the nil reply (a key that vanished).
var errNil = redis.Nil

const cmdMemory = "memory"

// scanShapes are the commands the worker sends, as the guard sees them
// (name, subcommand, and placeholder arguments).
var scanShapes = [][]any{
	{"auth", "user", "pass"},
	{"readonly"}, // a cluster replica's scan (ScanOptions.ReadOnly)
	{"ping"},     // the harm governor's probe
	{"select", "0"},
	{"dbsize"},
	{cmdInfo, "server"},
	{cmdInfo, "modules"},
	{cmdInfo, "keysizes"},
	{"client", "setname", scanClientName},
	{"client", "no-touch", "on"},
	{"scan", "0", "count", "1000"},
	{"object", "encoding", "k"},
	{cmdMemory, "usage", "k", "samples", "5"},
	{cmdMemory, "usage", "k"},
	{"ttl", "k"},
	{"type", "k"},
	{"llen", "k"},
	{"hlen", "k"},
	{"scard", "k"},
	{"zcard", "k"},
	{"xlen", "k"},
	{"strlen", "k"}, // the re-measure of a top string (scan_watch.go)
}

// scanAllowed is the set of (command, subcommand) the guard accepts among
// scanShapes; respConn refuses anything else before it is written.
var scanAllowed = func() map[[2]string]bool {
	m := map[[2]string]bool{}
	for _, sh := range scanShapes {
		if Check(false, sh) == nil {
			m[shapeKey(sh[0].(string), sh[1:])] = true //nolint:forcetypeassert // literal table above
		}
	}
	return m
}()

// shapeKey is the (command, subcommand) pair of a command, lower case as the
// worker writes it.
func shapeKey(name string, rest []any) [2]string {
	if hasSubcommands(strings.ToUpper(name)) && len(rest) > 0 {
		if s, ok := rest[0].(string); ok {
			return [2]string{name, s}
		}
	}
	return [2]string{name, ""}
}

// respConn is one RESP2 connection used by one goroutine at a time.
type respConn struct {
	nc      net.Conn
	bw      *bufio.Writer
	br      *bufio.Reader
	scratch []byte
	err     error // a refused command: flush fails and nothing more is written
	db      int   // the database selected (0 after dialling)
	// queued counts the commands written since the last flush; a flush
	// adds them to *sent (the worker's count of commands it sent, for the
	// share of the server's ops/s that is the scan's own), when set.
	queued int64
	sent   *atomic.Int64
}

// selectDB queues SELECT db unless the connection is there already (a
// cluster node refuses SELECT even of 0), and reports whether it did: the
// caller then reads its reply first.
func (c *respConn) selectDB(db int) bool {
	if c.db == db {
		return false
	}
	c.write2("select", strconv.Itoa(db))
	c.db = db
	return true
}

// allowed checks a command against scanAllowed; a refusal sticks.
func (c *respConn) allowed(name, sub string) bool {
	if c.err != nil {
		return false
	}
	if scanAllowed[[2]string{name, sub}] {
		return true
	}
	full := strings.ToUpper(strings.TrimSpace(name + " " + sub))
	c.err = fmt.Errorf("%w: %s", ErrForbidden, printable(full))
	return false
}

const respBuf = 64 << 10

// dialResp dials the base client's server and authenticates like it does.
func dialResp(ctx context.Context, o *redis.Options, timeout time.Duration) (*respConn, error) {
	dctx, cancel := context.WithTimeout(ctx, max(o.DialTimeout, timeout))
	defer cancel()
	dial := o.Dialer
	if dial == nil {
		dial = redis.NewDialer(o)
	}
	nc, err := dial(dctx, o.Network, o.Addr)
	if err != nil {
		return nil, fmt.Errorf("redisx: scan: dial: %w", err)
	}
	c := &respConn{nc: nc, bw: bufio.NewWriterSize(nc, respBuf), br: bufio.NewReaderSize(nc, respBuf)}
	user, pass := o.Username, o.Password
	switch {
	case o.CredentialsProviderContext != nil:
		if user, pass, err = o.CredentialsProviderContext(dctx); err != nil {
			_ = nc.Close()
			return nil, fmt.Errorf("redisx: scan: credentials: %w", err)
		}
	case o.CredentialsProvider != nil:
		user, pass = o.CredentialsProvider()
	}
	if pass != "" {
		c.deadline(dctx, timeout)
		if user != "" {
			c.write("auth", user, pass)
		} else {
			c.write("auth", pass)
		}
		if err := c.flush(); err != nil {
			_ = nc.Close()
			return nil, err
		}
		if _, _, err := c.readSimple(); err != nil {
			_ = nc.Close()
			return nil, fmt.Errorf("redisx: scan: AUTH: %w", err)
		}
	}
	return c, nil
}

func (c *respConn) Close() error { return c.nc.Close() } //nolint:wrapcheck // closing is best effort

// deadline bounds the next round trip by timeout and ctx.
func (c *respConn) deadline(ctx context.Context, timeout time.Duration) {
	d := time.Now().Add(timeout)
	if cd, ok := ctx.Deadline(); ok && cd.Before(d) {
		d = cd
	}
	_ = c.nc.SetDeadline(d)
}

// write queues one command whose arguments are strings.
func (c *respConn) write(args ...string) {
	sub := ""
	if len(args) > 1 && hasSubcommands(strings.ToUpper(args[0])) {
		sub = args[1]
	}
	if !c.allowed(args[0], sub) {
		return
	}
	b := c.scratch[:0]
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, '\r', '\n')
	for _, a := range args {
		b = appendBulk(b, a)
	}
	c.scratch = b
	c.queued++
	_, _ = c.bw.Write(b)
}

// write2 and write3 queue the per-key commands without a variadic slice.
func (c *respConn) write2(a0, a1 string) {
	if !c.allowed(a0, "") {
		return
	}
	b := append(c.scratch[:0], "*2\r\n"...)
	b = appendBulk(b, a0)
	b = appendBulk(b, a1)
	c.scratch = b
	c.queued++
	_, _ = c.bw.Write(b)
}

func (c *respConn) write3(a0, a1, a2 string) {
	if !c.allowed(a0, a1) {
		return
	}
	b := append(c.scratch[:0], "*3\r\n"...)
	b = appendBulk(b, a0)
	b = appendBulk(b, a1)
	b = appendBulk(b, a2)
	c.scratch = b
	c.queued++
	_, _ = c.bw.Write(b)
}

func (c *respConn) write5(a0, a1, a2, a3, a4 string) {
	if !c.allowed(a0, a1) {
		return
	}
	b := append(c.scratch[:0], "*5\r\n"...)
	b = appendBulk(b, a0)
	b = appendBulk(b, a1)
	b = appendBulk(b, a2)
	b = appendBulk(b, a3)
	b = appendBulk(b, a4)
	c.scratch = b
	c.queued++
	_, _ = c.bw.Write(b)
}

func appendBulk(b []byte, s string) []byte {
	b = append(b, '$')
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, '\r', '\n')
	b = append(b, s...)
	return append(b, '\r', '\n')
}

func (c *respConn) flush() error {
	if c.err != nil {
		c.bw.Reset(c.nc) // drop what was queued with the refused command
		c.queued = 0
		return c.err
	}
	n := c.queued
	c.queued = 0
	if err := c.bw.Flush(); err != nil {
		return fmt.Errorf("redisx: scan: write: %w", err)
	}
	if c.sent != nil {
		c.sent.Add(n)
	}
	return nil
}

// line reads one reply line without its CRLF; the bytes are valid until the
// next read.
func (c *respConn) line() ([]byte, error) {
	l, err := c.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return nil, errors.New("redisx: scan: reply line too long")
	}
	if err != nil {
		return nil, fmt.Errorf("redisx: scan: read: %w", err)
	}
	if len(l) < 3 || l[len(l)-2] != '\r' {
		return nil, errors.New("redisx: scan: malformed reply")
	}
	return l[:len(l)-2], nil
}

func parseInt(b []byte) (int64, error) {
	v, err := strconv.ParseInt(unsafe.String(unsafe.SliceData(b), len(b)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("redisx: scan: bad number in reply: %w", err)
	}
	return v, nil
}

// readSimple reads a status, integer or error reply: the status text (valid
// until the next read) or the integer. An error reply is a replyError; a
// nil bulk is errNil. A bulk reply is read and returned as text.
func (c *respConn) readSimple() ([]byte, int64, error) {
	l, err := c.line()
	if err != nil {
		return nil, 0, err
	}
	switch l[0] {
	case '+':
		return l[1:], 0, nil
	case ':':
		v, err := parseInt(l[1:])
		return nil, v, err
	case '-':
		return nil, 0, replyError(string(l[1:]))
	case '$':
		n, err := parseInt(l[1:])
		if err != nil {
			return nil, 0, err
		}
		if n < 0 {
			return nil, 0, errNil
		}
		s, err := c.bulkBody(n)
		return s, 0, err
	case '*':
		// Not expected for these commands: skip it whole.
		n, err := parseInt(l[1:])
		if err != nil {
			return nil, 0, err
		}
		for range n {
			if _, _, err := c.readSimple(); err != nil && !isServerReply(err) && !errors.Is(err, errNil) {
				return nil, 0, err
			}
		}
		return nil, 0, replyError("unexpected array reply")
	}
	return nil, 0, fmt.Errorf("redisx: scan: unknown reply type %q", l[0])
}

// bulkBody reads n bytes and the CRLF after them. Small bodies are returned
// from the reader's buffer (valid until the next read).
func (c *respConn) bulkBody(n int64) ([]byte, error) {
	if n > respBuf-2 {
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(c.br, buf); err != nil {
			return nil, fmt.Errorf("redisx: scan: read: %w", err)
		}
		return buf[:n], nil
	}
	b, err := c.br.Peek(int(n) + 2)
	if err != nil {
		return nil, fmt.Errorf("redisx: scan: read: %w", err)
	}
	_, _ = c.br.Discard(int(n) + 2)
	return b[:n], nil
}

// readScan reads a SCAN reply: the next cursor and the keys. The keys share
// one string allocation (they are substrings of it), so a batch of a
// thousand names costs two allocations.
func (c *respConn) readScan() (uint64, []string, error) {
	l, err := c.line()
	if err != nil {
		return 0, nil, err
	}
	if l[0] == '-' {
		return 0, nil, replyError(string(l[1:]))
	}
	if l[0] != '*' {
		return 0, nil, errors.New("redisx: scan: SCAN reply is not an array")
	}
	cur, _, err := c.readSimple()
	if err != nil {
		return 0, nil, err
	}
	next, err := strconv.ParseUint(string(cur), 10, 64)
	if err != nil {
		return 0, nil, fmt.Errorf("redisx: scan: bad cursor: %w", err)
	}
	l, err = c.line()
	if err != nil {
		return 0, nil, err
	}
	if l[0] != '*' {
		return 0, nil, errors.New("redisx: scan: SCAN keys are not an array")
	}
	n, err := parseInt(l[1:])
	if err != nil {
		return 0, nil, err
	}
	buf := make([]byte, 0, n*24)
	ends := make([]int, 0, n)
	for range n {
		l, err := c.line()
		if err != nil {
			return 0, nil, err
		}
		if l[0] != '$' {
			return 0, nil, errors.New("redisx: scan: SCAN key is not a bulk string")
		}
		size, err := parseInt(l[1:])
		if err != nil || size < 0 {
			return 0, nil, errors.New("redisx: scan: bad key length")
		}
		body, err := c.bulkBody(size)
		if err != nil {
			return 0, nil, err
		}
		buf = append(buf, body...)
		ends = append(ends, len(buf))
	}
	all := string(buf)
	keys := make([]string, len(ends))
	start := 0
	for i, e := range ends {
		keys[i] = all[start:e]
		start = e
	}
	return next, keys, nil
}
