package redisx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"

	"github.com/redis/go-redis/v9"
)

// ErrorKind classifies why talking to the server failed.
type ErrorKind string

// The error kinds Connect and the poller tell apart.
const (
	KindConnect    ErrorKind = "connect"    // refused, no such host, unreachable, timed out, closed
	KindAuth       ErrorKind = "auth"       // WRONGPASS, NOAUTH, invalid password
	KindTLS        ErrorKind = "tls"        // handshake or certificate failure
	KindPermission ErrorKind = "permission" // NOPERM: the ACL user may not run a command the tool needs
	KindConfig     ErrorKind = "config"     // bad options (TLS files …)
	KindServer     ErrorKind = "server"     // any other error reply
)

// ConnectError is the one-line, password-free error Connect returns. Its text
// says what failed and what to try; Unwrap gives the cause for errors.Is/As.
type ConnectError struct {
	Kind   ErrorKind
	Target string // Options.Addr: host:port or the socket path
	Reason string // e.g. "connection refused"
	Hint   string // e.g. "is redis-server running? check -h/-p"
	cause  error
}

func (e *ConnectError) Error() string {
	var head string
	switch e.Kind {
	case KindAuth:
		head = "authentication failed for " + e.Target
	case KindTLS:
		head = "TLS failure with " + e.Target
	case KindPermission:
		head = "permission denied on " + e.Target
	case KindConfig:
		head = "cannot use the options for " + e.Target
	case KindConnect:
		head = "cannot connect to " + e.Target
	default:
		head = "cannot use " + e.Target
	}
	msg := head + ": " + e.Reason
	if e.Hint != "" {
		msg += " (" + e.Hint + ")"
	}
	return msg
}

func (e *ConnectError) Unwrap() error { return e.cause }

// classify turns an error from dialing or from a command into a kind, a short
// reason and a hint. password is scrubbed from any server or driver text that
// reaches the reason.
func classify(err error, password string) (ErrorKind, string, string) {
	if err == nil {
		return "", "", ""
	}
	if errors.Is(err, ErrForbidden) {
		return KindPermission, clean(err.Error(), password), "the read-only guard refused it"
	}
	msg := err.Error()
	lower := strings.ToLower(msg)

	// TLS first: a TLS failure can also look like a closed connection.
	var (
		recHdr   tls.RecordHeaderError
		unknown  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
		alertErr tls.AlertError
	)
	switch {
	case errors.As(err, &recHdr):
		return KindTLS, "the server did not answer with TLS", "is this a TLS port? drop --tls / use redis://"
	case errors.As(err, &unknown), errors.As(err, &verify) && errors.As(verify.Err, &unknown):
		return KindTLS, "certificate signed by an unknown authority", "pass --cacert with the CA that signed it, or --insecure to skip verification"
	case errors.As(err, &hostErr):
		return KindTLS, "certificate is not valid for this host name", "use --sni with a name in the certificate"
	case errors.As(err, &invalid):
		return KindTLS, "certificate is invalid or expired", "check the server certificate, or --insecure"
	case errors.As(err, &verify):
		return KindTLS, "certificate verification failed", "check --cacert / --sni, or --insecure"
	case errors.As(err, &alertErr):
		return KindTLS, "the server refused the TLS handshake (" + alertErr.Error() + ")", "check --cert/--key and the server's tls-auth-clients"
	case strings.Contains(lower, "tls:") || strings.Contains(lower, "x509:"):
		return KindTLS, clean(msg, password), "check the TLS options"
	}

	// Error replies from the server.
	var rerr redis.Error
	if errors.As(err, &rerr) {
		text := rerr.Error()
		up := strings.ToUpper(text)
		switch {
		case strings.HasPrefix(up, "WRONGPASS"), strings.Contains(up, "INVALID PASSWORD"), strings.Contains(up, "INVALID USERNAME-PASSWORD"):
			return KindAuth, "wrong user name or password", "check --user / -a / REDISCLI_AUTH"
		case strings.HasPrefix(up, "NOAUTH"):
			return KindAuth, "the server requires a password", "pass one with -a, --askpass or REDISCLI_AUTH"
		case strings.Contains(up, "WITHOUT ANY PASSWORD CONFIGURED"), strings.Contains(up, "BUT NO PASSWORD IS SET"):
			return KindAuth, "a password was given but the server has none set", "drop -a / the password from the URI"
		case strings.HasPrefix(up, "NOPERM"):
			return KindPermission, clean(text, password), "grant this ACL user the command, or use another user"
		case strings.HasPrefix(up, "DENIED"):
			return KindConnect, "the server is in protected mode", "connect from the server's host, or set a password / bind on the server"
		}
		return KindServer, clean(text, password), ""
	}

	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return KindConnect, "no such host", "check -h / the host in the URI"
		}
		return KindConnect, "cannot resolve the host name", "check -h and DNS"
	case errors.Is(err, syscall.ECONNREFUSED):
		return KindConnect, "connection refused", "is redis-server running? check -h/-p"
	case errors.Is(err, syscall.ENOENT):
		return KindConnect, "no such socket file", "check the unix socket path (unixsocket in redis.conf)"
	case errors.Is(err, syscall.EACCES), errors.Is(err, os.ErrPermission):
		return KindConnect, "permission denied on the socket", "check the socket's permissions (unixsocketperm)"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return KindConnect, "host unreachable", "check the network path / firewall"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return KindConnect, "connection reset by the server", "is it a TLS port (try --tls) or a full maxclients?"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed), errors.Is(err, redis.ErrClosed):
		return KindConnect, "connection closed by the server", "is it a TLS port (try --tls) or a full maxclients?"
	case isTimeout(err):
		return KindConnect, "timed out", "is the host reachable and the port right? is the server stalled?"
	}
	return KindServer, clean(msg, password), ""
}

// isTimeout reports a deadline or an i/o timeout.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// isDialError reports an error that happened while opening the connection
// (as opposed to on an open one).
func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// clean makes server or driver text fit for one line on screen: the password
// removed, control characters escaped, at most 160 bytes.
func clean(s, password string) string {
	if password != "" {
		s = strings.ReplaceAll(s, password, "***")
	}
	// The package prefix our own errors carry says nothing to a user.
	s = strings.TrimPrefix(strings.TrimSpace(s), "redisx: ")
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= 160 {
			b.WriteString("…")
			break
		}
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\uFFFD':
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// newConnectError builds the error Connect returns.
func newConnectError(o Options, err error) *ConnectError {
	kind, reason, hint := classify(err, o.Password)
	if kind == KindConnect && reason == "timed out" {
		reason = fmt.Sprintf("timed out after %s", o.DialTimeout)
		if o.TLS.Enabled {
			// A plain server never answers a TLS ClientHello: it waits for
			// the end of an inline command.
			hint = "is this a TLS port? drop --tls / use redis:// for a plain one; is the host reachable?"
		}
	}
	if kind == KindConnect && o.TLS.Enabled && !isDialError(err) &&
		(errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)) {
		// Under TLS 1.3 the client finishes its handshake before the server
		// has checked the client's certificate: a server that refuses it may
		// send an alert (Redis) or just reset the connection (Valkey 8.0).
		kind, reason = KindTLS, "the server closed the connection right after the TLS handshake"
		if o.TLS.Cert == "" {
			hint = "it may require a client certificate: pass --cert and --key"
		} else {
			hint = "check --cert/--key and the server's tls-auth-clients"
		}
	}
	return &ConnectError{Kind: kind, Target: o.Addr, Reason: reason, Hint: hint, cause: err}
}

// Describe turns an error from a poll or a read into one password-free line
// for a gap sample, the status bar or a report.
func Describe(err error, password string) string {
	if err == nil {
		return ""
	}
	kind, reason, hint := classify(err, password)
	if hint != "" && kind != KindServer {
		return reason + " (" + hint + ")"
	}
	return reason
}
