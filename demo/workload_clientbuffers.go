package demo

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// client-buffers: a subscriber that never reads, a publisher that floods;
// the server queues the messages in the subscriber's output buffer until
// the pubsub limit disconnects it.
func clientBuffersPart() Scenario {
	return Scenario{
		Name:    "client-buffers",
		Summary: "a pub/sub subscriber that does not read while a publisher floods: client buffers climb until the output-buffer limit disconnects it",
		Config:  clientBuffersConfig(false),
		Stages: []Stage{
			{
				Caption: "a subscriber connects to " + cbChannel + " and stops reading — a stuck consumer (a paused process, a slow link); messages trickle in, nothing to see yet",
				Run:     cbSubscribe,
			},
			{
				Caption: "a publisher floods " + cbChannel + " with 4 KB messages: the server queues them for the subscriber, which reads nothing — watch client buffers (mem_clients_normal) climb; CLIENT LIST shows the subscriber's omem",
				Run:     cbFlood,
			},
			{
				Caption: "past the soft limit (8mb for 60 s) the subscriber is on notice; at the hard limit (32mb) the server disconnects it at once — client buffers fall back (Redis 7.2+ counts client_output_buffer_limit_disconnections)",
				Run:     cbDisconnect,
			},
		},
	}
}

const (
	cbChannel = "news:live"
	cbSoft    = 8 << 20
)

func clientBuffersConfig(bool) []string {
	return []string{"client-output-buffer-limit pubsub 32mb 8mb 60"}
}

// stuckSubscriber is a raw connection that sends SUBSCRIBE and never reads,
// with a small receive buffer so the kernel does not soak up the flood.
type stuckSubscriber struct{ conn net.Conn }

func (s *stuckSubscriber) Close() error {
	if err := s.conn.Close(); err != nil {
		return fmt.Errorf("demo: subscriber: %w", err)
	}
	return nil
}

func cbSubscriber(ctx context.Context, e *Env) (*stuckSubscriber, error) {
	return kept(e, "subscriber", func() (*stuckSubscriber, error) {
		d := net.Dialer{Timeout: 2 * time.Second}
		conn, err := d.DialContext(ctx, "tcp", e.Server.Addr)
		if err != nil {
			return nil, fmt.Errorf("demo: subscriber: %w", err)
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetReadBuffer(4096)
		}
		_ = conn.SetWriteDeadline(time.Now().Add(2 * time.Second))
		if _, err := fmt.Fprintf(conn, "CLIENT SETNAME stuck-subscriber\r\nSUBSCRIBE %s\r\n", cbChannel); err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("demo: subscriber: %w", err)
		}
		return &stuckSubscriber{conn: conn}, nil
	})
}

var cbMessage = strings.Repeat("m", 4096)

// publish sends n messages and returns how many subscribers the last one
// reached.
func cbPublish(ctx context.Context, e *Env, n int) (int64, error) {
	var reached int64
	err := e.Batch(ctx, func(ctx context.Context) (int, error) {
		pipe := e.Client.Pipeline()
		var last *redis.IntCmd
		for range n {
			last = pipe.Publish(ctx, cbChannel, cbMessage)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return n, fmt.Errorf("demo: client-buffers: PUBLISH: %w", err)
		}
		reached = last.Val()
		return n, nil
	})
	return reached, err
}

func cbSubscribe(ctx context.Context, e *Env) error {
	if err := e.Setup(ctx, clientBuffersConfig(e.Fast)...); err != nil {
		return err
	}
	if _, err := cbSubscriber(ctx, e); err != nil {
		return err
	}
	err := e.until(ctx, 10*time.Second, 20*time.Millisecond, "the subscriber to subscribe", func(ctx context.Context) (bool, error) {
		n, err := e.Client.PubSubNumSub(ctx, cbChannel).Result()
		if err != nil {
			return false, fmt.Errorf("demo: PUBSUB NUMSUB: %w", err)
		}
		return n[cbChannel] > 0, nil
	})
	if err != nil {
		return err
	}
	return e.Hold(ctx, 200*time.Millisecond, func(ctx context.Context) error {
		_, err := cbPublish(ctx, e, 1)
		return err
	})
}

// cbRate: 16 messages of 4 KB every 50 ms (1.3 MB/s) paced; in Fast mode
// 64 every 5 ms, slow enough that the flood stage stops near the soft limit
// (the server refreshes mem_clients_normal every 100 ms).
func cbRate(e *Env) (int, time.Duration) {
	if e.Fast {
		return 64, 5 * time.Millisecond
	}
	return 16, 50 * time.Millisecond
}

func cbFlood(ctx context.Context, e *Env) error {
	if _, err := cbSubscriber(ctx, e); err != nil {
		return err
	}
	n, every := cbRate(e)
	var buffers int64
	err := e.until(ctx, 5*time.Minute, every, "client buffers to reach "+mb(cbSoft), func(ctx context.Context) (bool, error) {
		if _, err := cbPublish(ctx, e, n); err != nil {
			return false, err
		}
		f, err := e.Info(ctx, "memory")
		buffers = f.Int("mem_clients_normal")
		return err == nil && buffers >= cbSoft, err
	})
	if err != nil {
		return err
	}
	e.Sayf("client buffers hold %s for one subscriber that reads nothing; the server keeps queueing", mb(buffers))
	return nil
}

func cbDisconnect(ctx context.Context, e *Env) error {
	if _, err := cbSubscriber(ctx, e); err != nil {
		return err
	}
	n, every := cbRate(e)
	var peak int64
	err := e.until(ctx, 5*time.Minute, every, "the subscriber to be disconnected", func(ctx context.Context) (bool, error) {
		reached, err := cbPublish(ctx, e, n)
		if err != nil || reached == 0 {
			return reached == 0, err
		}
		f, err := e.Info(ctx, "memory")
		peak = max(peak, f.Int("mem_clients_normal"))
		return false, err
	})
	if err != nil {
		return err
	}
	e.drop("subscriber")
	f, err := e.Info(ctx, "memory")
	if err != nil {
		return err
	}
	e.Sayf("the server disconnected the subscriber at the hard limit (client buffers peaked near %s); they are back to %s", mb(peak), mb(f.Int("mem_clients_normal")))
	return e.Hold(ctx, 200*time.Millisecond, func(ctx context.Context) error {
		_, err := cbPublish(ctx, e, 1)
		return err
	})
}
