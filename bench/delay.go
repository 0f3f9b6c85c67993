//go:build linux

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/internal/delayproxy"
	"github.com/redis-memtop/redis-memtop/internal/redisproc"
)

// The delay row puts 1 ms of round trip between the tools and the server.
// The real thing is a network namespace holding the server, a veth pair to
// it and tc netem on both ends (0.5 ms each way); it needs root, ip, tc and
// the sch_netem module. Without them the row falls back to a loopback proxy
// in this process that holds requests so a PING takes about 1 ms — the same
// round trips for both tools, said so in the row.
const (
	oneWay   = 500 * time.Microsecond
	nsName   = "rmtbench"
	vethHost = "rmtb0"
	vethNS   = "rmtb1"
	hostIP   = "10.213.7.1"
	nsIP     = "10.213.7.2"
)

// delayEnv is a server reachable with 1 ms of round trip at addr, and loadAddr
// to fill it without the delay (or with it, when there is no other way).
type delayEnv struct {
	addr, loadAddr string
	method         string
	stop           func()
}

func delayRows(ctx context.Context, c config) []row {
	name := "2 full pass, 1 ms RTT, vs --memkeys"
	env, err := netemEnv(ctx)
	if err != nil {
		fmt.Printf("\ndelay row: netns + netem unavailable (%v); using a loopback delay proxy\n", err)
		env, err = proxyEnv(ctx)
	}
	if err != nil {
		return []row{{name: name, note: "skipped: " + err.Error()}}
	}
	defer env.stop()
	load := redis.NewClient(&redis.Options{Addr: env.loadAddr, Protocol: 2, DisableIdentity: true})
	defer func() { _ = load.Close() }()
	if err := loadDataset(ctx, load, c.delayKeys); err != nil {
		return []row{{name: name, note: "skipped: load: " + err.Error()}}
	}
	rdb := redis.NewClient(&redis.Options{Addr: env.addr, Protocol: 2, DisableIdentity: true})
	defer func() { _ = rdb.Close() }()
	rtt := measureRTT(ctx, rdb)
	fmt.Printf("delay row (%s): %d keys, measured PING round trip %s\n", env.method, c.delayKeys, rtt.Round(10*time.Microsecond))

	ours, err := timed(ctx, load, func() (int64, error) { return oursPass(ctx, rdb) })
	if err != nil {
		return []row{{name: name, note: "skipped: " + err.Error()}}
	}
	fmt.Printf("1 ms    %-36s %9d keys  %8s  %9.0f keys/s\n", "redis-memtop scan (rate 0)", ours.keys, ours.wall.Round(time.Millisecond), ours.keysPerSec())
	theirs, err := timed(ctx, load, func() (int64, error) { return cliPass(ctx, c.redisCLI, env.addr, "--memkeys") })
	if err != nil {
		return []row{{name: name, note: "skipped: " + err.Error()}}
	}
	fmt.Printf("1 ms    %-36s %9d keys  %8s  %9.0f keys/s\n", "redis-cli --memkeys", theirs.keys, theirs.wall.Round(time.Millisecond), theirs.keysPerSec())
	r := speedRow(name, ours, theirs, 20, fmt.Sprintf("%s, PING RTT %s, %d keys", env.method, rtt.Round(10*time.Microsecond), c.delayKeys))
	return []row{r}
}

// measureRTT is the median of 30 PINGs.
func measureRTT(ctx context.Context, rdb *redis.Client) time.Duration {
	var ds []float64
	for range 30 {
		t0 := time.Now()
		if rdb.Ping(ctx).Err() != nil {
			return 0
		}
		ds = append(ds, float64(time.Since(t0)))
	}
	return time.Duration(median(ds))
}

func sh(ctx context.Context, args ...string) error {
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, args[0], args[1:]...) //nolint:gosec // fixed commands of the bench
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%v: %w: %s", args, err, bytes.TrimSpace(out.Bytes()))
	}
	return nil
}

// netemEnv builds the namespace, the veth pair and the delays, and starts a
// redis-server inside. Everything is removed by stop (and on failure).
func netemEnv(ctx context.Context) (*delayEnv, error) {
	if os.Geteuid() != 0 {
		return nil, errors.New("not root")
	}
	for _, tool := range []string{"ip", "tc"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fmt.Errorf("no %s", tool)
		}
	}
	bin, err := redisproc.FindRedisServer("")
	if err != nil {
		return nil, err //nolint:wrapcheck // already says what to install
	}
	cleanup := func() {
		_ = sh(context.Background(), "ip", "link", "del", vethHost)
		_ = sh(context.Background(), "ip", "netns", "del", nsName)
	}
	cleanup() // a previous run that died
	inNS := func(args ...string) []string { return append([]string{"ip", "netns", "exec", nsName}, args...) }
	steps := [][]string{
		strings.Fields("ip netns add " + nsName),
		strings.Fields("ip link add " + vethHost + " type veth peer name " + vethNS),
		strings.Fields("ip link set " + vethNS + " netns " + nsName),
		strings.Fields("ip addr add " + hostIP + "/30 dev " + vethHost),
		strings.Fields("ip link set " + vethHost + " up"),
		inNS(strings.Fields("ip addr add " + nsIP + "/30 dev " + vethNS)...),
		inNS(strings.Fields("ip link set " + vethNS + " up")...),
		inNS(strings.Fields("ip link set lo up")...),
	}
	for _, s := range steps {
		if err := sh(ctx, s...); err != nil {
			cleanup()
			return nil, err
		}
	}
	dir, err := os.MkdirTemp("", "redis-memtop-bench-*")
	if err != nil {
		cleanup()
		return nil, fmt.Errorf("temp dir: %w", err)
	}
	port := "6399"
	conf := filepath.Join(dir, "redis.conf")
	text := "port " + port + "\nbind " + nsIP + "\nsave \"\"\nappendonly no\nprotected-mode no\ndir " + dir + "\nlogfile server.log\n"
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		cleanup()
		return nil, fmt.Errorf("write config: %w", err)
	}
	cmd := exec.Command("ip", inNS(bin, conf)[1:]...) //nolint:gosec,noctx // our fixed command; must outlive ctx until stop
	if err := cmd.Start(); err != nil {
		cleanup()
		return nil, fmt.Errorf("start redis-server in the namespace: %w", err)
	}
	stop := func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		cleanup()
		_ = os.RemoveAll(dir)
	}
	addr := net.JoinHostPort(nsIP, port)
	if err := waitPing(ctx, addr); err != nil {
		stop()
		return nil, err
	}
	// Load first, then add the delay (loading 100,000 keys through 1 ms is
	// only slower, not different).
	env := &delayEnv{addr: addr, loadAddr: addr, method: "netns + veth + tc netem 0.5 ms each way", stop: stop}
	for _, s := range [][]string{
		strings.Fields("tc qdisc add dev " + vethHost + " root netem delay 500us"),
		inNS(strings.Fields("tc qdisc add dev " + vethNS + " root netem delay 500us")...),
	} {
		if err := sh(ctx, s...); err != nil {
			stop()
			return nil, err
		}
	}
	return env, nil
}

func waitPing(ctx context.Context, addr string) error {
	c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true, MaxRetries: -1})
	defer func() { _ = c.Close() }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := c.Ping(ctx).Err(); err == nil {
			return nil
		} else if time.Now().After(deadline) {
			return fmt.Errorf("redis-server at %s: %w", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// proxyEnv starts a throwaway server and a delaying proxy in front of it.
func proxyEnv(ctx context.Context) (*delayEnv, error) {
	srv, err := redisproc.Start(ctx, redisproc.Options{})
	if err != nil {
		return nil, fmt.Errorf("start redis-server: %w", err)
	}
	// A sleep here takes at least about a millisecond whatever it is asked
	// (timer slack), so the proxy holds only the requests, for 1 ms less
	// the slack, and the replies pass at once: a PING then takes about 1 ms.
	p, err := delayproxy.Start(ctx, srv.Addr, 2*oneWay-100*time.Microsecond, 0)
	if err != nil {
		srv.Stop()
		return nil, fmt.Errorf("proxy: %w", err)
	}
	held, _ := p.Delays()
	return &delayEnv{
		addr: p.Addr(), loadAddr: srv.Addr,
		method: fmt.Sprintf("loopback proxy holding requests %s", held.Round(10*time.Microsecond)),
		stop:   func() { p.Close(); srv.Stop() },
	}, nil
}
