package client

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name string
		p    Policy
		want []time.Duration
	}{
		{"ActiveMQ default doubles from 10ms", DefaultPolicy(), []time.Duration{10 * ms, 20 * ms, 40 * ms, 80 * ms}},
		{"capped", Policy{InitialReconnectDelay: 300 * ms, MaxReconnectDelay: time.Second, UseExponentialBackOff: true, BackOffMultiplier: 2},
			[]time.Duration{300 * ms, 600 * ms, time.Second, time.Second}},
		{"constant without back-off", Policy{InitialReconnectDelay: 50 * ms, MaxReconnectDelay: time.Second, BackOffMultiplier: 2},
			[]time.Duration{50 * ms, 50 * ms, 50 * ms}},
		{"multiplier 1.5", Policy{InitialReconnectDelay: 100 * ms, MaxReconnectDelay: time.Second, UseExponentialBackOff: true, BackOffMultiplier: 1.5},
			[]time.Duration{100 * ms, 150 * ms, 225 * ms}},
		{"initial above the cap", Policy{InitialReconnectDelay: 5 * time.Second, MaxReconnectDelay: time.Second, UseExponentialBackOff: true, BackOffMultiplier: 2},
			[]time.Duration{time.Second, time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBackoff(tt.p)
			for i, want := range tt.want {
				if got := b.Pause(); got != want {
					t.Fatalf("pause %d = %v, want %v", i, got, want)
				}
			}
		})
	}
}

func TestAttemptLimit(t *testing.T) {
	p := DefaultPolicy()
	p.MaxReconnectAttempts = 3
	if got := p.attemptLimit(true); got != 3 {
		t.Errorf("startup limit Forever must fall back to maxReconnectAttempts: got %d", got)
	}
	p.StartupMaxReconnectAttempts = 1
	if p.attemptLimit(true) != 1 || p.attemptLimit(false) != 3 {
		t.Errorf("startup %d, later %d", p.attemptLimit(true), p.attemptLimit(false))
	}
}

// fakeDialer records which brokers were tried and fails all but an
// optional winner, from a given call on.
type fakeDialer struct {
	tried    []string
	winner   string
	winsFrom int // the winner accepts from this call on (1-based)
	failWith error
}

func (f *fakeDialer) dial(_ context.Context, b Broker) (string, error) {
	f.tried = append(f.tried, b.Host)
	if b.Host == f.winner && len(f.tried) >= f.winsFrom {
		return b.Host, nil
	}
	if f.failWith != nil {
		return "", f.failWith
	}
	return "", errors.New("connection refused")
}

func brokers(hosts ...string) []Broker {
	var out []Broker
	for _, h := range hosts {
		out = append(out, Broker{Scheme: "stomp", Host: h, Port: 61613})
	}
	return out
}

func TestWalkerPolicy(t *testing.T) {
	tests := []struct {
		name       string
		policy     func(*Policy)
		dialer     fakeDialer
		startup    bool
		failed     string
		wantHost   string
		wantTried  string
		wantPauses int
		wantErr    string
	}{
		{
			name:      "walks in order to the first that accepts",
			dialer:    fakeDialer{winner: "b"},
			wantHost:  "b",
			wantTried: "a b",
		},
		{
			name:       "passes again after a pause until one accepts",
			dialer:     fakeDialer{winner: "b", winsFrom: 5},
			wantHost:   "b",
			wantTried:  "a b c a b",
			wantPauses: 1,
		},
		{
			name:       "maxReconnectAttempts=2 gives up after three passes",
			policy:     func(p *Policy) { p.MaxReconnectAttempts = 2 },
			wantTried:  "a b c a b c a b c",
			wantPauses: 2,
			wantErr:    "gave up after 2 reconnect attempt(s)",
		},
		{
			name:      "maxReconnectAttempts=0 tries once",
			policy:    func(p *Policy) { p.MaxReconnectAttempts = 0 },
			wantTried: "a b c",
			wantErr:   "gave up",
		},
		{
			name:       "startupMaxReconnectAttempts rules the first connection",
			policy:     func(p *Policy) { p.MaxReconnectAttempts = 0; p.StartupMaxReconnectAttempts = 1 },
			startup:    true,
			wantTried:  "a b c a b c",
			wantPauses: 1,
			wantErr:    "gave up after 1",
		},
		{
			name:      "the broker just lost is tried last",
			dialer:    fakeDialer{winner: "a"},
			failed:    "stomp://a:61613",
			wantHost:  "a",
			wantTried: "b c a",
		},
		{
			name:      "a broker that refuses us ends the walk",
			dialer:    fakeDialer{failWith: &BrokerError{Message: "User name [x] or password is invalid."}},
			wantTried: "a",
			wantErr:   "password is invalid",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultPolicy()
			p.Randomize = false
			if tt.policy != nil {
				tt.policy(&p)
			}
			d := tt.dialer
			var pauses []time.Duration
			w := &walker[string]{
				brokers: brokers("a", "b", "c"),
				policy:  p,
				dial:    d.dial,
				fatal:   isBrokerError,
				sleep:   func(_ context.Context, d time.Duration) error { pauses = append(pauses, d); return nil },
			}
			host, _, err := w.connect(context.Background(), tt.startup, tt.failed)
			if got := strings.Join(d.tried, " "); got != tt.wantTried {
				t.Errorf("tried %q, want %q", got, tt.wantTried)
			}
			if len(pauses) != tt.wantPauses {
				t.Errorf("paused %d times (%v), want %d", len(pauses), pauses, tt.wantPauses)
			}
			if tt.wantErr == "" {
				if err != nil || host != tt.wantHost {
					t.Fatalf("connect = %q, %v; want %q", host, err, tt.wantHost)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
			}
		})
	}
}

// TestConnectErrorListsEveryBroker checks the error a user sees when no
// broker is up: every URL with its own reason.
func TestConnectErrorListsEveryBroker(t *testing.T) {
	p := DefaultPolicy()
	p.Randomize, p.MaxReconnectAttempts = false, 1
	w := &walker[string]{
		brokers: brokers("a", "b"),
		policy:  p,
		dial: func(_ context.Context, b Broker) (string, error) {
			return "", errors.New("refused by " + b.Host)
		},
		sleep: func(context.Context, time.Duration) error { return nil },
	}
	_, _, err := w.connect(context.Background(), false, "")
	var ce *ConnectError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want ConnectError", err)
	}
	if ce.Passes != 2 {
		t.Errorf("passes = %d, want 2", ce.Passes)
	}
	msg := err.Error()
	for _, want := range []string{"stomp://a:61613: refused by a", "stomp://b:61613: refused by b"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
}

// TestWalkerTimeout uses the real clock: the policy's timeout must end an
// endless walk, and a caller's cancellation must stay a cancellation.
func TestWalkerTimeout(t *testing.T) {
	p := DefaultPolicy()
	p.Timeout = 150 * time.Millisecond
	p.MaxReconnectDelay = 20 * time.Millisecond
	w := &walker[string]{
		brokers: brokers("a", "b"),
		policy:  p,
		rnd:     rand.New(rand.NewPCG(1, 2)),
		dial:    func(context.Context, Broker) (string, error) { return "", errors.New("refused") },
		sleep:   sleepCtx,
	}
	start := time.Now()
	_, _, err := w.connect(context.Background(), true, "")
	var ce *ConnectError
	if !errors.As(err, &ce) || !strings.Contains(ce.Why, "timeout 150ms") {
		t.Fatalf("err = %v, want a ConnectError about the timeout", err)
	}
	if took := time.Since(start); took < p.Timeout {
		t.Errorf("gave up after %v, before the timeout", took)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p.Timeout = Forever
	w.policy = p
	if _, _, err := w.connect(ctx, true, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled walk: err = %v, want context.Canceled", err)
	}
}

func TestRandomizeShufflesEachPass(t *testing.T) {
	p := DefaultPolicy()
	list := brokers("a", "b", "c", "d", "e")
	r := rand.New(rand.NewPCG(7, 7))
	orders := map[string]bool{}
	for range 20 {
		var names []string
		for _, b := range p.order(list, r, "") {
			names = append(names, b.Host)
		}
		orders[strings.Join(names, "")] = true
	}
	if len(orders) < 2 {
		t.Errorf("randomize=true produced one order only: %v", orders)
	}
	p.Randomize = false
	for _, b := range p.order(list, r, "")[:1] {
		if b.Host != "a" {
			t.Errorf("randomize=false must keep the order, first is %s", b.Host)
		}
	}
}
