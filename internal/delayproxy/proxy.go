// Package delayproxy is a loopback TCP proxy that holds what it forwards
// for a set delay, in order, and can cut every connection at once: the
// network between redis-memtop and a server made slow or broken on demand,
// for the bench's 1 ms round-trip row and for the tests of slow and failing
// links.
package delayproxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Proxy forwards every connection it accepts to its target. Each chunk read
// is due its direction's delay after it arrived; chunks leave in order, so
// a pipeline keeps flowing and only its latency grows.
type Proxy struct {
	ln       net.Listener
	target   string
	requests atomic.Int64 // client → server delay, ns
	replies  atomic.Int64 // server → client delay, ns

	mu    sync.Mutex
	conns []net.Conn
	wg    sync.WaitGroup
}

// Start listens on a free loopback port and forwards to target, holding
// requests and replies for the given delays (0: passed at once).
func Start(ctx context.Context, target string, requests, replies time.Duration) (*Proxy, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("delayproxy: listen: %w", err)
	}
	p := &Proxy{ln: ln, target: target}
	p.SetDelay(requests, replies)
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the address clients connect to instead of the target.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// SetDelay changes the delays for the chunks read from now on.
func (p *Proxy) SetDelay(requests, replies time.Duration) {
	p.requests.Store(int64(requests))
	p.replies.Store(int64(replies))
}

// Delays are the current request and reply delays.
func (p *Proxy) Delays() (requests, replies time.Duration) {
	return time.Duration(p.requests.Load()), time.Duration(p.replies.Load())
}

// Cut closes every open connection, both sides, as a network failing
// would; connections made after it are served again.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}

// Close stops listening, cuts every connection and waits for the proxy's
// goroutines to end.
func (p *Proxy) Close() {
	_ = p.ln.Close()
	p.Cut()
	p.wg.Wait()
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		var d net.Dialer
		s, err := d.Dial("tcp", p.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(s, c, &p.requests)
		go p.pipe(c, s, &p.replies)
	}
}

type chunk struct {
	b  []byte
	at time.Time
}

// pipe copies src to dst, each chunk held until it is due. The reader and
// the writer are apart, so a held chunk does not stop the next one being
// read (and timed) meanwhile.
func (p *Proxy) pipe(dst, src net.Conn, delay *atomic.Int64) {
	defer p.wg.Done()
	ch := make(chan chunk, 4096)
	written := make(chan struct{})
	go func() {
		defer close(written)
		for ck := range ch {
			// Chunks of one burst are due together: sleep only for a real
			// wait, or each would cost a whole timer tick (a sleep takes
			// about a millisecond at least, whatever it is asked).
			if d := time.Until(ck.at); d > 100*time.Microsecond {
				time.Sleep(d)
			}
			if _, err := dst.Write(ck.b); err != nil {
				break
			}
		}
		_ = dst.Close()
		for range ch { // drain after a write error
		}
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			ch <- chunk{b: bytes.Clone(buf[:n]), at: time.Now().Add(time.Duration(delay.Load()))}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				_ = src.Close()
			}
			close(ch)
			<-written
			return
		}
	}
}
