package redisx

import (
	"context"
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/internal/redisproc"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
)

func connectErr(t *testing.T, o Options) *ConnectError {
	t.Helper()
	c, err := Connect(testCtx(t), o)
	if err == nil {
		_ = c.Close()
		t.Fatalf("Connect(%s) succeeded", o.Redacted())
	}
	var ce *ConnectError
	if !errors.As(err, &ce) {
		t.Fatalf("error %T %v is not a *ConnectError", err, err)
	}
	msg := err.Error()
	if strings.ContainsAny(msg, "\n\r") || strings.Contains(msg, "goroutine") {
		t.Errorf("not one clean line: %q", msg)
	}
	if o.Password != "" && strings.Contains(msg, o.Password) {
		t.Errorf("password in the error: %q", msg)
	}
	return ce
}

// setPassword sets requirepass at run time: demo's start-up PING has no AUTH.
func setPassword(t *testing.T, addr, pw string) {
	t.Helper()
	if err := redistest.Client(t, addr).ConfigSet(testCtx(t), "requirepass", pw).Err(); err != nil {
		t.Fatal(err)
	}
}

func TestConnectProbe(t *testing.T) {
	srv := redistest.StartServer(t)
	c := connectT(t, optsFor(srv.Addr))
	if c.Product() != serverProduct(t, srv) || c.Version() == "" || c.Mode() != ModeStandalone {
		t.Errorf("product %s version %q mode %q", c.Product(), c.Version(), c.Mode())
	}
	v, _ := ParseVersion(c.Version())
	caps := c.Caps()
	if caps.MultiSectionInfo != v.AtLeast(7, 0, 0) || caps.ClientNoTouch != v.AtLeast(7, 2, 0) || caps.CurrentCOW != v.AtLeast(6, 2, 0) {
		t.Errorf("caps %+v for %s", caps, c.Version())
	}
	if !caps.MemorySection || !caps.Fork || !caps.MemoryDoctor || len(c.Notes()) != 0 {
		t.Errorf("caps %+v notes %v", caps, c.Notes())
	}
	if !c.FirstInfo().HasSection("memory") || c.Options().ClientName != DefaultClientName {
		t.Errorf("first info sections %v", c.FirstInfo().SectionNames())
	}
	name, err := c.Raw().Do(testCtx(t), "client", "getname").Text()
	if err != nil || name != DefaultClientName {
		t.Errorf("client name = %q %v", name, err)
	}
}

func TestConnectRefused(t *testing.T) {
	port, err := redisproc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	ce := connectErr(t, optsFor(addr))
	want := "cannot connect to " + addr + ": connection refused (is redis-server running? check -h/-p)"
	if ce.Kind != KindConnect || ce.Error() != want {
		t.Errorf("got %q (%s), want %q", ce.Error(), ce.Kind, want)
	}
}

func TestConnectNoSuchHostAndSocket(t *testing.T) {
	o := optsFor("no-such-host.invalid:6379")
	o.DialTimeout = time.Second
	if ce := connectErr(t, o); ce.Kind != KindConnect {
		t.Errorf("no such host: %v (%s)", ce, ce.Kind)
	}
	u := optsFor("/nonexistent/redis.sock")
	u.Network = NetworkUnix
	ce := connectErr(t, u)
	if ce.Kind != KindConnect || !strings.Contains(ce.Error(), "no such socket file") {
		t.Errorf("missing socket: %v", ce)
	}
}

func TestConnectAuth(t *testing.T) {
	const pw = "S3cretPassw0rd"
	srv := redistest.StartServer(t)
	setPassword(t, srv.Addr, pw)
	o := optsFor(srv.Addr)

	ce := connectErr(t, o)
	if ce.Kind != KindAuth || !strings.Contains(ce.Error(), "requires a password") {
		t.Errorf("no password: %v (%s)", ce, ce.Kind)
	}
	o.Password = "wrong-" + pw
	ce = connectErr(t, o)
	if ce.Kind != KindAuth || !strings.Contains(ce.Error(), "authentication failed for") || !strings.Contains(ce.Error(), "wrong user name or password") {
		t.Errorf("wrong password: %v (%s)", ce, ce.Kind)
	}
	o.Password = pw
	c := connectT(t, o)
	if c.Product() != serverProduct(t, srv) {
		t.Errorf("product %s", c.Product())
	}
}

// TestConnectWithoutHello: servers before 6.0 have no HELLO; renaming it away
// reproduces that on the installed server. RESP3 falls back to RESP2, with AUTH
// when there is a password.
func TestConnectWithoutHello(t *testing.T) {
	const pw = "fallbackpw"
	srv := redistest.StartServer(t, `rename-command HELLO ""`)
	setPassword(t, srv.Addr, pw)
	o := optsFor(srv.Addr)
	o.Password = pw
	c := connectT(t, o)
	if err := c.Raw().Ping(testCtx(t)).Err(); err != nil {
		t.Fatal(err)
	}
	p := NewPoller(c, 50*time.Millisecond, time.Second)
	p.ExtrasInterval = 0
	us := collect(t, p, func(u []updateRec) bool { return countSamples(u) >= 1 })
	for _, u := range us {
		if u.Sample != nil && !u.Sample.IsGap() && !u.Sample.Memory.UsedMemory.Valid {
			t.Errorf("RESP2 fallback sample without used_memory")
		}
	}
	o.Password = "not-the-pw"
	if ce := connectErr(t, o); ce.Kind != KindAuth {
		t.Errorf("wrong password over the AUTH fallback: %v (%s)", ce, ce.Kind)
	}
}

func TestConnectRESP2(t *testing.T) {
	srv := redistest.StartServer(t)
	o := optsFor(srv.Addr)
	o.Protocol = 2
	c := connectT(t, o)
	ex := c.ReadExtras(testCtx(t), time.Now())
	if v, _ := ex.Config.Get("maxmemory-policy"); v == "" || ex.Clients.Count == 0 || ex.Doctor.Text == "" {
		t.Errorf("RESP2 extras: %+v %+v %+v", ex.Config, ex.Clients, ex.Doctor)
	}
}

func TestConnectACLUser(t *testing.T) {
	srv := redistest.StartServer(t)
	plain := redistest.Client(t, srv.Addr)
	ctx := testCtx(t)
	if err := plain.Do(ctx, "acl", "setuser", "mon", "on", ">monpw", "+@read", "+@connection", "+info", "-config", "-client", "-memory").Err(); err != nil {
		t.Fatal(err)
	}
	o := optsFor(srv.Addr)
	o.Username, o.Password = "mon", "not-the-pw"
	if ce := connectErr(t, o); ce.Kind != KindAuth {
		t.Errorf("wrong ACL password: %v (%s)", ce, ce.Kind)
	}
	// Without +client the user cannot CLIENT SETNAME; it must connect anyway.
	o.Password = "monpw"
	c := connectT(t, o)
	if c.Product() != serverProduct(t, srv) {
		t.Errorf("product %s", c.Product())
	}
	// Without +info nothing can be monitored: a permission error, named.
	if err := plain.Do(ctx, "acl", "setuser", "noinfo", "on", ">pw", "+ping", "+hello", "+auth").Err(); err != nil {
		t.Fatal(err)
	}
	o.Username, o.Password = "noinfo", "pw"
	ce := connectErr(t, o)
	if ce.Kind != KindPermission || !strings.Contains(ce.Error(), "NOPERM") {
		t.Errorf("user without INFO: %v (%s)", ce, ce.Kind)
	}
}

func TestConnectSentinel(t *testing.T) {
	master := redistest.StartServer(t)
	sent := startSentinel(t, master)
	c := connectT(t, optsFor(sent.Addr))
	if c.Mode() != ModeSentinel || c.Caps().MemorySection {
		t.Fatalf("mode %q caps %+v", c.Mode(), c.Caps())
	}
	if notes := c.Notes(); len(notes) != 1 || !strings.Contains(notes[0], "no memory") {
		t.Errorf("notes = %v", notes)
	}
	p := NewPoller(c, 50*time.Millisecond, time.Second)
	p.ExtrasInterval = time.Hour
	us := collect(t, p, func(u []updateRec) bool { return countSamples(u) >= 1 && countExtras(u) >= 1 })
	for _, u := range us {
		if u.Sample != nil && !u.Sample.IsGap() {
			if u.Sample.HasSection("memory") || u.Sample.Memory.UsedMemory.Valid || u.Sample.Server.Mode != ModeSentinel {
				t.Errorf("sentinel sample: %+v", u.Sample)
			}
		}
		if u.Sample != nil && u.Sample.IsGap() {
			t.Errorf("gap on a sentinel: %s", u.Sample.Err)
		}
		if u.Extras != nil {
			if u.Extras.Clients == nil || u.Extras.Clients.Count == 0 {
				t.Errorf("sentinel clients: %+v", u.Extras.Clients)
			}
			if len(u.Extras.Unavailable) != 2 {
				t.Errorf("sentinel unavailable = %+v", u.Extras.Unavailable)
			}
		}
	}
}

func TestConnectTLS(t *testing.T) {
	p := newPKI(t)
	tlsPort, err := redisproc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	srv := redistest.StartServer(t,
		"tls-port "+strconv.Itoa(tlsPort),
		"tls-cert-file "+p.ServerCert, "tls-key-file "+p.ServerKey, "tls-ca-cert-file "+p.CA,
		"tls-auth-clients yes")
	tlsAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(tlsPort))
	good := optsFor(tlsAddr)
	good.TLS = TLSOptions{Enabled: true, CACert: p.CA, Cert: p.ClientCert, Key: p.ClientKey}

	c := connectT(t, good)
	if c.Product() != serverProduct(t, srv) {
		t.Errorf("product over TLS: %s", c.Product())
	}
	if !strings.HasPrefix(good.Redacted(), "rediss://") {
		t.Errorf("redacted = %q", good.Redacted())
	}

	cases := []struct {
		name   string
		mutate func(*Options)
		kind   ErrorKind
		text   string
	}{
		{"unknown authority", func(o *Options) { o.TLS.CACert = "" }, KindTLS, "unknown authority"},
		{"wrong host name", func(o *Options) { o.TLS.SNI = "wrong.example" }, KindTLS, "not valid for this host name"},
		{"no client certificate", func(o *Options) { o.TLS.Cert, o.TLS.Key = "", "" }, KindTLS, "TLS failure"},
		{"TLS to a plain port", func(o *Options) { o.Addr = srv.Addr; o.DialTimeout = 500 * time.Millisecond }, KindConnect, "is this a TLS port?"},
		{"plain to a TLS port", func(o *Options) { o.TLS = TLSOptions{} }, KindConnect, "--tls"},
		{"missing CA file", func(o *Options) { o.TLS.CACert = "/nonexistent/ca.pem" }, KindConfig, "--cacert"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := good
			tc.mutate(&o)
			ce := connectErr(t, o)
			if ce.Kind != tc.kind || !strings.Contains(ce.Error(), tc.text) {
				t.Errorf("got %q (%s), want kind %s containing %q", ce.Error(), ce.Kind, tc.kind, tc.text)
			}
		})
	}
	insecure := good
	insecure.TLS.CACert, insecure.TLS.Insecure = "", true
	connectT(t, insecure)
}

func TestConnectRespectsContext(t *testing.T) {
	srv := redistest.StartServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Connect(ctx, optsFor(srv.Addr)); err == nil {
		t.Error("Connect with a cancelled context succeeded")
	}
}

func TestConnectRejectsBadOptions(t *testing.T) {
	o := optsFor("127.0.0.1:1")
	o.Protocol = 5
	if ce := connectErr(t, o); ce.Kind != KindConfig {
		t.Errorf("kind %s: %v", ce.Kind, ce)
	}
}

// Valkey 8.0 answers a TLS 1.3 client without a certificate with a reset
// after the handshake, where Redis sends an alert: both read as a TLS
// failure that points at --cert/--key.
func TestTLSResetAfterHandshakeIsATLSFailure(t *testing.T) {
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	o := optsFor("127.0.0.1:6380")
	o.TLS = TLSOptions{Enabled: true}
	ce := newConnectError(o, reset)
	if ce.Kind != KindTLS || !strings.Contains(ce.Error(), "--cert and --key") {
		t.Errorf("TLS, no certificate: %q (%s)", ce.Error(), ce.Kind)
	}
	o.TLS.Cert, o.TLS.Key = "c.pem", "k.pem"
	if ce := newConnectError(o, reset); ce.Kind != KindTLS || !strings.Contains(ce.Error(), "tls-auth-clients") {
		t.Errorf("TLS, certificate: %q (%s)", ce.Error(), ce.Kind)
	}
	o.TLS = TLSOptions{}
	if ce := newConnectError(o, reset); ce.Kind != KindConnect {
		t.Errorf("plain: %q (%s)", ce.Error(), ce.Kind)
	}
}
