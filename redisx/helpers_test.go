package redisx

import (
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
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/internal/redisproc"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
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

// startSentinel starts a sentinel watching master as mymaster (quorum 1).
func startSentinel(t *testing.T, master *redisproc.Server) *redisproc.Server {
	t.Helper()
	return redistest.StartSentinel(t, master, 1)
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

// serverProduct is the product the server binary builds, for the tests
// the matrix runs against Redis and Valkey builds alike (from --version, so
// a server with a password needs no client).
func serverProduct(t *testing.T, srv *redisproc.Server) model.Product {
	t.Helper()
	out, err := exec.Command(srv.Binary, "--version").Output() //nolint:noctx // the test's own server binary
	if err != nil {
		t.Fatalf("%s --version: %v", srv.Binary, err)
	}
	if strings.HasPrefix(string(out), "Valkey") {
		return model.ProductValkey
	}
	return model.ProductRedis
}
