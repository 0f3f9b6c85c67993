// Package promx reads a Redis server's history from Prometheus, where
// redis_exporter's scrapes keep it: it finds the server's series (by run_id,
// then by address), reads them, and turns each scrape into a model.Sample,
// so the monitor's history ring can start with the time before it was
// opened. It is the only package that talks to Prometheus; like redisx it
// knows nothing of the screen.
package promx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
)

// DefaultTimeout bounds one query.
const DefaultTimeout = 5 * time.Second

// Options say how to reach Prometheus. The credentials are never printed:
// Redacted is the only form of the URL that leaves this package.
type Options struct {
	// URL is the Prometheus base URL (http://host:9090, or with a path
	// prefix); a user (and password) in it become basic auth.
	URL string
	// BearerToken, or BearerTokenFile (read at each request, so a rotated
	// token is picked up), is sent as "Authorization: Bearer".
	BearerToken     string
	BearerTokenFile string
	// BasicUser with BasicPassword or BasicPasswordFile: basic auth.
	BasicUser         string
	BasicPassword     string
	BasicPasswordFile string
	// CAFile verifies an https Prometheus with this CA.
	CAFile string
	// Timeout bounds one query (DefaultTimeout when 0).
	Timeout time.Duration
}

// Redacted is the URL without its user information, query or fragment: what
// a status line or a report may show.
func (o Options) Redacted() string {
	u, err := url.Parse(o.URL)
	if err != nil || u.Host == "" {
		return "the Prometheus URL"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}

// Client queries one Prometheus.
type Client struct {
	api     v1.API
	opts    Options
	secrets []string // what an error message must never show
}

// New checks the options and builds the client; it does not connect.
func New(o Options) (*Client, error) {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	u, err := url.Parse(o.URL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, errors.New("--prometheus needs an http:// or https:// URL with a host")
	}
	if u.User != nil {
		if o.BasicUser == "" {
			o.BasicUser = u.User.Username()
		}
		if pw, ok := u.User.Password(); ok && o.BasicPassword == "" && o.BasicPasswordFile == "" {
			o.BasicPassword = pw
		}
		u.User = nil
	}
	if o.BasicUser != "" && (o.BearerToken != "" || o.BearerTokenFile != "") {
		return nil, errors.New("--prometheus: a bearer token and basic auth do not go together; give one")
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, fmt.Errorf("promx: CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("promx: CA file %s holds no PEM certificate", o.CAFile)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	hc := &http.Client{Transport: &authTransport{next: tr, opts: o}, Timeout: o.Timeout}
	ac, err := api.NewClient(api.Config{Address: u.String(), Client: hc})
	if err != nil {
		return nil, fmt.Errorf("promx: %w", err)
	}
	c := &Client{api: v1.NewAPI(ac), opts: o}
	for _, s := range []string{o.BearerToken, o.BasicPassword} {
		if s != "" {
			c.secrets = append(c.secrets, s, url.QueryEscape(s), url.PathEscape(s))
		}
	}
	return c, nil
}

// Redacted is where this client reads, without credentials.
func (c *Client) Redacted() string { return c.opts.Redacted() }

// Timeout is the bound of one query.
func (c *Client) Timeout() time.Duration { return c.opts.Timeout }

// describe turns a failed query into one line that says what went wrong
// and what to try: down, slow, denied or broken; never a secret.
func (c *Client) describe(err error) string {
	var ae *v1.Error
	var ne net.Error
	var msg string
	switch {
	case errors.As(err, &ae) && ae.Type == v1.ErrClient && (strings.Contains(ae.Msg, "401") || strings.Contains(ae.Msg, "403")):
		msg = "access denied (" + strings.TrimPrefix(ae.Msg, "client error: ") + "): check the token or the user and password"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		msg = fmt.Sprintf("no answer within %s (--prometheus-timeout)", c.opts.Timeout)
	case errors.As(err, &ae):
		msg = string(ae.Type) + ": " + ae.Msg
	default:
		msg = err.Error()
		var ue *url.Error
		if errors.As(err, &ue) {
			msg = ue.Err.Error()
		}
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Err != nil {
			msg = "unreachable: " + oe.Err.Error()
		}
	}
	for _, s := range c.secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
	}
	return msg
}

// QueryError is a query that failed, worded for the status bar.
type QueryError struct{ Msg string }

func (e *QueryError) Error() string { return e.Msg }

// fail wraps a query's error for the caller.
func (c *Client) fail(err error) error {
	return &QueryError{Msg: c.describe(err)}
}

// authTransport adds the credentials to every request: a bearer token (the
// file read again at each request, so a rotated token is picked up) or
// basic auth. client_golang's API takes any http.Client; this is the part
// of Prometheus's own HTTP config the monitor needs, without its OAuth2,
// proxy and YAML dependencies.
type authTransport struct {
	next http.RoundTripper
	opts Options
}

func (a *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	o := a.opts
	r := req.Clone(req.Context())
	switch {
	case o.BearerTokenFile != "":
		b, err := os.ReadFile(o.BearerTokenFile)
		if err != nil {
			return nil, fmt.Errorf("reading the token file: %w", err)
		}
		r.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(b)))
	case o.BearerToken != "":
		r.Header.Set("Authorization", "Bearer "+o.BearerToken)
	case o.BasicUser != "":
		pw := o.BasicPassword
		if o.BasicPasswordFile != "" {
			b, err := os.ReadFile(o.BasicPasswordFile)
			if err != nil {
				return nil, fmt.Errorf("reading the password file: %w", err)
			}
			pw = strings.TrimRight(string(b), "\r\n")
		}
		r.SetBasicAuth(o.BasicUser, pw)
	}
	return a.next.RoundTrip(r) //nolint:wrapcheck // the API client wraps it
}
