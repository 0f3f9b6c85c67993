package redisx

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseURI(t *testing.T) {
	cases := []struct {
		in   string
		want Options
	}{
		{"", Options{Network: NetworkTCP, Addr: "127.0.0.1:6379"}},
		{"redis://127.0.0.1:6390/2", Options{Network: NetworkTCP, Addr: "127.0.0.1:6390", DB: 2}},
		{"redis://alice:s3cr%40t@db.example:7000/0", Options{Network: NetworkTCP, Addr: "db.example:7000", Username: "alice", Password: "s3cr@t"}},
		{"redis://:onlypass@host", Options{Network: NetworkTCP, Addr: "host:6379", Password: "onlypass"}},
		{"rediss://user:pw@[::1]:6380/1?protocol=2", Options{Network: NetworkTCP, Addr: "[::1]:6380", DB: 1, Username: "user", Password: "pw", TLS: TLSOptions{Enabled: true}, Protocol: 2}},
		{"redis://host/?db=5", Options{Network: NetworkTCP, Addr: "host:6379", DB: 5}},
		{"unix:///run/redis/redis.sock?db=3", Options{Network: NetworkUnix, Addr: "/run/redis/redis.sock", DB: 3}},
		{"unix://u:p@/tmp/r.sock", Options{Network: NetworkUnix, Addr: "/tmp/r.sock", Username: "u", Password: "p"}},
		{"10.0.0.5:6380", Options{Network: NetworkTCP, Addr: "10.0.0.5:6380"}},
		{"cache.local", Options{Network: NetworkTCP, Addr: "cache.local:6379"}},
		{"[::1]:7000", Options{Network: NetworkTCP, Addr: "[::1]:7000"}},
		{"::1", Options{Network: NetworkTCP, Addr: "[::1]:6379"}},
		{"/var/run/redis.sock", Options{Network: NetworkUnix, Addr: "/var/run/redis.sock"}},
	}
	for _, c := range cases {
		got, err := ParseURI(c.in)
		if err != nil {
			t.Errorf("ParseURI(%q): %v", c.in, err)
			continue
		}
		want := c.want
		if want.Protocol == 0 {
			want.Protocol = 3
		}
		want.DialTimeout, want.CommandTimeout, want.ClientName = DefaultDialTimeout, DefaultCommandTimeout, DefaultClientName
		if got != want {
			t.Errorf("ParseURI(%q) =\n %#v\nwant\n %#v", c.in, fields(got), fields(want))
		}
	}
}

// fields prints options with the password, for test failure messages only.
func fields(o Options) string {
	return fmt.Sprintf("%s %s db=%d user=%q pass=%q tls=%+v proto=%d", o.Network, o.Addr, o.DB, o.Username, o.Password, o.TLS, o.Protocol)
}

func TestParseURIErrorsNeverLeakThePassword(t *testing.T) {
	const pw = "Hunter2SecretPW"
	bad := []string{
		"redis://u:" + pw + "@host:notaport/0",
		"redis://u:" + pw + "@host:99999/0",
		"redis://u:" + pw + "@host:6379/abc",
		"redis://u:" + pw + "@host:6379/0?db=x",
		"redis://u:" + pw + "@host:6379/0?password=" + pw,
		"http://u:" + pw + "@host:6379/0",
		"redis://u:" + pw + "@ho st:6379/0",
		"redis://u:" + pw + "%zz@host/0",
		"unix://u:" + pw + "@",
		"host:0",
	}
	for _, in := range bad {
		_, err := ParseURI(in)
		if err == nil {
			t.Errorf("ParseURI(%q) accepted", in)
			continue
		}
		if strings.Contains(err.Error(), pw) || strings.Contains(err.Error(), "Hunter2") {
			t.Errorf("error leaks the password: %v", err)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("error is not one line: %q", err)
		}
	}
}

func TestRedactedAndTarget(t *testing.T) {
	o, err := ParseURI("rediss://alice:topsecret@10.0.0.5:6380/2")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{o.Redacted(), o.Target(), o.String(), fmt.Sprintf("%v", o), fmt.Sprintf("%+v", o), fmt.Sprintf("%#v", o), fmt.Sprint(&o)} {
		if strings.Contains(s, "topsecret") {
			t.Errorf("password in %q", s)
		}
	}
	if got := o.Redacted(); got != "rediss://alice@10.0.0.5:6380/2" {
		t.Errorf("Redacted = %q", got)
	}
	if got := o.Target(); got != "10.0.0.5:6380/2" {
		t.Errorf("Target = %q", got)
	}
	u, _ := ParseURI("unix:///tmp/r.sock?db=1")
	if u.Redacted() != "unix:///tmp/r.sock?db=1" || u.Target() != "/tmp/r.sock/1" {
		t.Errorf("unix: %q %q", u.Redacted(), u.Target())
	}
	if (Options{}).Target() != "127.0.0.1:6379/0" {
		t.Errorf("zero options target = %q", (Options{}).Target())
	}
}

func TestValidate(t *testing.T) {
	bad := []Options{
		{Network: "udp"},
		{DB: -1},
		{Protocol: 4},
		{Network: NetworkUnix, Addr: "/x", TLS: TLSOptions{Enabled: true}},
		{TLS: TLSOptions{Enabled: true, Cert: "a.pem"}},
	}
	for _, o := range bad {
		if o.Validate() == nil {
			t.Errorf("%s accepted", fields(o))
		}
	}
	if err := DefaultOptions().Validate(); err != nil {
		t.Error(err)
	}
}
