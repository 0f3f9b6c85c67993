package cli

import (
	"flag"
	"os"
	"time"

	"github.com/redis-memtop/redis-memtop/promx"
)

// The environment variables that carry Prometheus credentials, so they
// need not be on a command line.
const (
	envPromToken    = "REDIS_MEMTOP_PROMETHEUS_TOKEN"    //nolint:gosec // the variable's name, not a credential
	envPromPassword = "REDIS_MEMTOP_PROMETHEUS_PASSWORD" //nolint:gosec // the variable's name, not a credential
)

// promFlags are the flags that read history from Prometheus (--prometheus),
// shared by the monitor and report. No flag takes a secret itself: the
// token and the password come from a file or the environment.
type promFlags struct {
	url       string
	tokenFile string
	user      string
	passFile  string
	caFile    string
	timeout   time.Duration
}

func (p *promFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&p.url, "prometheus", "", "read the server's history (the --history before you opened it) from the Prometheus at `URL` that scrapes its redis_exporter")
	fs.StringVar(&p.tokenFile, "prometheus-token-file", "", "bearer token `file` for --prometheus ("+envPromToken+" also works)")
	fs.StringVar(&p.user, "prometheus-user", "", "basic auth `user` for --prometheus (or user@ in the URL); the password from "+envPromPassword+" or --prometheus-password-file")
	fs.StringVar(&p.passFile, "prometheus-password-file", "", "basic auth password `file` for --prometheus")
	fs.StringVar(&p.caFile, "prometheus-cacert", "", "CA certificate `file` to verify an https Prometheus")
	fs.DurationVar(&p.timeout, "prometheus-timeout", promx.DefaultTimeout, "time to wait for one Prometheus query")
}

// client is the Prometheus client the flags ask for, nil without
// --prometheus.
func (p *promFlags) client() (*promx.Client, error) {
	if p.url == "" {
		if p.tokenFile != "" || p.user != "" || p.passFile != "" || p.caFile != "" {
			return nil, usagef("the --prometheus-* flags go with --prometheus URL")
		}
		return nil, nil //nolint:nilnil // no Prometheus asked for is not an error
	}
	if p.timeout <= 0 {
		return nil, usagef("--prometheus-timeout must be positive, not %s", p.timeout)
	}
	o := promx.Options{
		URL: p.url, BearerTokenFile: p.tokenFile, BasicUser: p.user, BasicPasswordFile: p.passFile,
		CAFile: p.caFile, Timeout: p.timeout,
	}
	if o.BearerTokenFile == "" {
		o.BearerToken = os.Getenv(envPromToken)
	}
	if o.BasicPasswordFile == "" {
		o.BasicPassword = os.Getenv(envPromPassword)
	}
	c, err := promx.New(o)
	if err != nil {
		return nil, usageErr(err)
	}
	return c, nil
}
