package redisx

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/demo"
)

// Literals the tests share.
const (
	v7015       = "7.0.15"
	v4014       = "4.0.14"
	v634        = "6.3.4"
	rv724       = "redis_version:7.2.4"
	rv634       = "redis_version:6.3.4"
	nameValkey  = "server_name:valkey"
	keyOOM      = "errorstat_OOM"
	polledNamed = "info server clients memory persistence stats replication cpu errorstats cluster keyspace"
)

// safety bounds how long a test waits for something that must happen; it is
// a deadlock guard, not a speed assertion.
const safety = 20 * time.Second

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// plainClient is an unguarded go-redis client for test setup and checks.
func plainClient(t *testing.T, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true, MaxRetries: -1})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func connectT(t *testing.T, o Options) *Client {
	t.Helper()
	c, err := Connect(testCtx(t), o)
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func optsFor(addr string) Options {
	o := DefaultOptions()
	o.Addr = addr
	o.DialTimeout = 2 * time.Second
	o.CommandTimeout = 2 * time.Second
	return o
}

// monitor watches a server with MONITOR over a raw socket: an observer that
// shares no code with go-redis or the guard. (go-redis's own MonitorCmd
// busy-polls its reader, which is unkind to a shared 2-core machine.)
type monitor struct {
	mu    sync.Mutex
	lines []string
	conn  net.Conn
}

func startMonitor(t *testing.T, addr string, auth ...string) *monitor {
	t.Helper()
	d := net.Dialer{Timeout: 2 * time.Second}
	conn, err := d.DialContext(testCtx(t), "tcp", addr)
	if err != nil {
		t.Fatalf("monitor dial: %v", err)
	}
	m := &monitor{conn: conn}
	t.Cleanup(func() { _ = conn.Close() })
	rd := bufio.NewReader(conn)
	if len(auth) > 0 {
		if _, err := conn.Write([]byte(respCommand(append([]string{"AUTH"}, auth...)...))); err != nil {
			t.Fatal(err)
		}
		if line, _ := rd.ReadString('\n'); !strings.HasPrefix(line, "+OK") {
			t.Fatalf("monitor auth: %q", line)
		}
	}
	if _, err := conn.Write([]byte("MONITOR\r\n")); err != nil {
		t.Fatalf("monitor: %v", err)
	}
	if line, _ := rd.ReadString('\n'); !strings.HasPrefix(line, "+OK") {
		t.Fatalf("monitor: %q", line)
	}
	go func() {
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				return
			}
			m.mu.Lock()
			m.lines = append(m.lines, strings.TrimRight(strings.TrimPrefix(line, "+"), "\r\n"))
			m.mu.Unlock()
		}
	}()
	return m
}

func respCommand(args ...string) string {
	var b strings.Builder
	b.WriteString("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		b.WriteString("$" + strconv.Itoa(len(a)) + "\r\n" + a + "\r\n")
	}
	return b.String()
}

// waitFor waits until a monitored command contains every needle.
func (m *monitor) waitFor(t *testing.T, needles ...string) {
	t.Helper()
	deadline := time.Now().Add(safety)
	for time.Now().Before(deadline) {
		for _, cmd := range m.commands() {
			joined := strings.ToLower(strings.Join(cmd, " "))
			all := true
			for _, n := range needles {
				if !strings.Contains(joined, strings.ToLower(n)) {
					all = false
				}
			}
			if all {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("monitor never saw %q; saw %v", needles, m.commands())
}

// commands parses the monitored lines: `1700000000.123 [0 127.0.0.1:5] "info" "server"`.
func (m *monitor) commands() [][]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([][]string, 0, len(m.lines))
	for _, line := range m.lines {
		_, rest, ok := strings.Cut(line, "] ")
		if !ok {
			continue
		}
		out = append(out, parseQuoted(rest))
	}
	return out
}

// parseQuoted splits `"a" "b\"c" "\x00"` as redis prints MONITOR arguments
// (sdscatrepr escapes, which strconv.Unquote understands).
func parseQuoted(s string) []string {
	var out []string
	for {
		s = strings.TrimLeft(s, " ")
		if !strings.HasPrefix(s, `"`) {
			return out
		}
		end := 1
		for end < len(s) {
			if s[end] == '\\' {
				end += 2
				continue
			}
			if s[end] == '"' {
				break
			}
			end++
		}
		if end >= len(s) {
			return out
		}
		v, err := strconv.Unquote(s[:end+1])
		if err != nil {
			v = s[1:end]
		}
		out = append(out, v)
		s = s[end+1:]
	}
}

// startSentinel starts redis-server in sentinel mode (argv[0] containing
// "redis-sentinel" is how redis-server picks the mode) watching master.
func startSentinel(t *testing.T, master *demo.Server) *demo.Server {
	t.Helper()
	bin, err := demo.FindRedisServer(os.Getenv("REDIS_SERVER"))
	if err != nil {
		t.Skip(err.Error())
	}
	link := filepath.Join(t.TempDir(), "redis-sentinel")
	if err := os.Symlink(bin, link); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	s, err := demo.Start(ctx, demo.Options{Binary: link, Config: []string{
		"sentinel monitor mymaster 127.0.0.1 " + strconv.Itoa(master.Port) + " 1",
	}})
	if err != nil {
		t.Fatalf("start sentinel: %v", err)
	}
	t.Cleanup(s.Stop)
	return s
}

// pki is a throwaway CA with a server certificate for 127.0.0.1/localhost
// and a client certificate, written as PEM files.
type pki struct {
	CA, ServerCert, ServerKey, ClientCert, ClientKey string
}

func newPKI(t *testing.T) pki {
	t.Helper()
	dir := t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "redis-memtop test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	p := pki{CA: filepath.Join(dir, "ca.pem")}
	writePEM(t, p.CA, "CERTIFICATE", caDER)
	leaf := func(name string, serial int64, usage x509.ExtKeyUsage) (string, string) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      pkix.Name{CommonName: name},
			DNSNames:     []string{"localhost"},
			IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(24 * time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{usage},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kder, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		cert, keyFile := filepath.Join(dir, name+".pem"), filepath.Join(dir, name+"-key.pem")
		writePEM(t, cert, "CERTIFICATE", der)
		writePEM(t, keyFile, "EC PRIVATE KEY", kder)
		return cert, keyFile
	}
	p.ServerCert, p.ServerKey = leaf("server", 2, x509.ExtKeyUsageServerAuth)
	p.ClientCert, p.ClientKey = leaf("client", 3, x509.ExtKeyUsageClientAuth)
	return p
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}
