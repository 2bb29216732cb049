package client

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseURLAccepts(t *testing.T) {
	tests := []struct {
		raw      string
		failover bool
		brokers  []string
		check    func(t *testing.T, u *URL)
	}{
		{
			raw:      "failover:(stomp://127.0.0.1:61613,stomp://127.0.0.1:61614)?randomize=false&maxReconnectDelay=1000",
			failover: true,
			brokers:  []string{"stomp://127.0.0.1:61613", "stomp://127.0.0.1:61614"},
			check: func(t *testing.T, u *URL) {
				if u.Policy.Randomize || u.Policy.MaxReconnectDelay != time.Second {
					t.Errorf("policy %+v: want randomize=false, maxReconnectDelay=1s", u.Policy)
				}
				if u.Policy.InitialReconnectDelay != 10*time.Millisecond || u.Policy.MaxReconnectAttempts != Forever {
					t.Errorf("unset options must keep ActiveMQ defaults, got %+v", u.Policy)
				}
			},
		},
		{
			raw:      "failover:stomp://a:1,stomp://b:2",
			failover: true,
			brokers:  []string{"stomp://a:1", "stomp://b:2"},
		},
		{
			raw:     "stomp://127.0.0.1:61613",
			brokers: []string{"stomp://127.0.0.1:61613"},
			check: func(t *testing.T, u *URL) {
				if u.Policy.MaxReconnectAttempts != 0 || u.Policy.StartupMaxReconnectAttempts != 0 {
					t.Errorf("a single broker URL must not retry, got %+v", u.Policy)
				}
			},
		},
		{
			raw:     "  tcp://localhost  ",
			brokers: []string{"tcp://localhost:61616"},
		},
		{
			raw:     "stomp+nio://[::1]",
			brokers: []string{"stomp+nio://[::1]:61613"},
		},
		{
			raw:      "FAILOVER:(tcp://h:1?wireFormat.maxInactivityDuration=0,nio://h:2)?timeout=3000&trackMessages=true&startupMaxReconnectAttempts=2&useExponentialBackOff=false&backOffMultiplier=1.5&initialReconnectDelay=0",
			failover: true,
			brokers:  []string{"tcp://h:1?wireFormat.maxInactivityDuration=0", "nio://h:2"},
			check: func(t *testing.T, u *URL) {
				p := u.Policy
				if p.Timeout != 3*time.Second || p.StartupMaxReconnectAttempts != 2 || p.UseExponentialBackOff || p.BackOffMultiplier != 1.5 || p.InitialReconnectDelay != 0 {
					t.Errorf("policy %+v", p)
				}
				if len(u.Extra) != 1 || u.Extra[0].Name != "trackMessages" {
					t.Errorf("extra %+v: want trackMessages kept for the Java client", u.Extra)
				}
				if u.Protocol() != ProtocolOpenWire {
					t.Errorf("protocol %s", u.Protocol())
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			u, err := ParseURL(tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			if u.Failover != tt.failover {
				t.Errorf("failover = %v", u.Failover)
			}
			var got []string
			for _, b := range u.Brokers {
				got = append(got, b.String())
			}
			if strings.Join(got, " ") != strings.Join(tt.brokers, " ") {
				t.Errorf("brokers %v, want %v", got, tt.brokers)
			}
			if tt.check != nil {
				tt.check(t, u)
			}
		})
	}
}

// TestParseURLPointsAtTheBadPart checks that each malformed URL is refused
// with a reason and a caret under the part to fix.
func TestParseURLPointsAtTheBadPart(t *testing.T) {
	tests := []struct {
		raw    string
		bad    string // the text the carets must sit under
		reason string
	}{
		{"failover:(stomp://127.0.0.1:6161x,stomp://127.0.0.1:61614)", "6161x", "port"},
		{"failover:(stomp://127.0.0.1:61613,stomp://127.0.0.1:99999)", "99999", "port"},
		{"failover:(stomp://a:1,amqp://b:2)", "amqp", "unknown scheme"},
		{"failover:(stomp://a:1,tcp://b:2)", "tcp", "one protocol"},
		{"failover:(stomp://a:1,,stomp://b:2)", "", "empty entry"},
		{"failover:(stomp://a:1", "(", "never closed"},
		{"failover:(stomp://a:1)randomize=false", "randomize=false", "after ')'"},
		{"failover:(stomp://a:1)?randomize=maybe", "maybe", "true or false"},
		{"failover:(stomp://a:1)?maxReconnectDelay=-5", "-5", "negative"},
		{"failover:(stomp://a:1)?maxReconnectAttempts=x", "x", "-1"},
		{"failover:(stomp://a:1)?randomize", "randomize", "name=value"},
		{"failover:()", ")", "empty"},
		{"ssl://a:1", "ssl", "TLS"},
		{"127.0.0.1:61613", "127.0.0.1:61613", "scheme://host:port"},
		{"stomp://", "", "missing host"},
		{"stomp://::1:5", "::1:5", "IPv6"},
		{"", "", "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			_, err := ParseURL(tt.raw)
			var ue *URLError
			if !errors.As(err, &ue) {
				t.Fatalf("ParseURL(%q) = %v, want a URLError", tt.raw, err)
			}
			if !strings.Contains(ue.Reason, tt.reason) {
				t.Errorf("reason %q does not mention %q", ue.Reason, tt.reason)
			}
			if tt.bad != "" {
				marked := tt.raw[ue.Offset:min(ue.Offset+ue.Len, len(tt.raw))]
				if marked != tt.bad {
					t.Errorf("carets mark %q, want %q\n%v", marked, tt.bad, err)
				}
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != 3 || strings.TrimSpace(lines[2]) == "" || strings.Trim(lines[2], " ^") != "" {
				t.Errorf("error should show the URL and a caret line:\n%v", err)
			}
		})
	}
}

func TestNativeCheckRefusesWhatSTOMPCannotDo(t *testing.T) {
	tests := []struct {
		raw, bad, reason string
	}{
		{"failover:(tcp://a:1,tcp://b:2)", "tcp", "--driver openwire"},
		{"failover:(stomp://a:1?x=1,stomp://b:2)", "?x=1", "per-broker"},
		{"failover:(stomp://a:1)?trackMessages=true", "trackMessages", "not supported"},
		{"failover:(stomp://a:1)?Randomize=false", "Randomize", "did you mean randomize"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			u, err := ParseURL(tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			err = u.nativeCheck()
			var ue *URLError
			if !errors.As(err, &ue) {
				t.Fatalf("nativeCheck = %v, want a URLError", err)
			}
			if got := tt.raw[ue.Offset : ue.Offset+ue.Len]; got != tt.bad {
				t.Errorf("marks %q, want %q", got, tt.bad)
			}
			if !strings.Contains(ue.Reason, tt.reason) {
				t.Errorf("reason %q lacks %q", ue.Reason, tt.reason)
			}
		})
	}
}

func TestURLStringRoundTrips(t *testing.T) {
	for _, raw := range []string{
		"failover:(stomp://127.0.0.1:61613,stomp://127.0.0.1:61614)?randomize=false&maxReconnectDelay=1000",
		"failover:(tcp://h:1)?timeout=3000&trackMessages=true",
		"stomp://127.0.0.1:61613",
	} {
		u, err := ParseURL(raw)
		if err != nil {
			t.Fatal(err)
		}
		if u.String() != raw {
			t.Errorf("String() = %q, want %q", u.String(), raw)
		}
	}
}
