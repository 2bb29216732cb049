package client

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Forever is the value of an attempt limit or timeout that never gives up.
const Forever = -1

// Policy is the failover transport's reconnect behaviour, under ActiveMQ's
// option names so that one URL works for both drivers.
type Policy struct {
	Randomize             bool          // randomize: shuffle the broker list for every pass
	InitialReconnectDelay time.Duration // initialReconnectDelay (ms): pause after the first failed pass
	MaxReconnectDelay     time.Duration // maxReconnectDelay (ms): cap of the back-off
	UseExponentialBackOff bool          // useExponentialBackOff: multiply the pause after each failed pass
	BackOffMultiplier     float64       // backOffMultiplier
	// MaxReconnectAttempts (maxReconnectAttempts) is how many passes over
	// the list follow a failed one before giving up; 0 tries once, Forever
	// never gives up.
	MaxReconnectAttempts int
	// StartupMaxReconnectAttempts (startupMaxReconnectAttempts) replaces
	// MaxReconnectAttempts for the very first connection; Forever means
	// "same as MaxReconnectAttempts", as in ActiveMQ.
	StartupMaxReconnectAttempts int
	// Timeout (timeout, ms) bounds how long an operation waits for a broker
	// while none is connected; Forever waits as long as the attempts allow.
	Timeout time.Duration
}

// DefaultPolicy is ActiveMQ's failover transport default.
func DefaultPolicy() Policy {
	return Policy{
		Randomize:                   true,
		InitialReconnectDelay:       10 * time.Millisecond,
		MaxReconnectDelay:           30 * time.Second,
		UseExponentialBackOff:       true,
		BackOffMultiplier:           2,
		MaxReconnectAttempts:        Forever,
		StartupMaxReconnectAttempts: Forever,
		Timeout:                     Forever,
	}
}

// singleBrokerPolicy is what a plain broker URL gets: one try, no reconnect.
func singleBrokerPolicy() Policy {
	p := DefaultPolicy()
	p.Randomize = false
	p.MaxReconnectAttempts = 0
	p.StartupMaxReconnectAttempts = 0
	return p
}

// policyOption binds an ActiveMQ option name to a Policy field.
type policyOption struct {
	name string
	set  func(*Policy, string) error
	get  func(Policy) string
}

var policyOptions = []policyOption{
	{"randomize", boolOpt(func(p *Policy) *bool { return &p.Randomize }), func(p Policy) string { return strconv.FormatBool(p.Randomize) }},
	{"initialReconnectDelay", msOpt(func(p *Policy) *time.Duration { return &p.InitialReconnectDelay }, false), func(p Policy) string { return ms(p.InitialReconnectDelay) }},
	{"maxReconnectDelay", msOpt(func(p *Policy) *time.Duration { return &p.MaxReconnectDelay }, false), func(p Policy) string { return ms(p.MaxReconnectDelay) }},
	{"useExponentialBackOff", boolOpt(func(p *Policy) *bool { return &p.UseExponentialBackOff }), func(p Policy) string { return strconv.FormatBool(p.UseExponentialBackOff) }},
	{"backOffMultiplier", setMultiplier, func(p Policy) string { return strconv.FormatFloat(p.BackOffMultiplier, 'g', -1, 64) }},
	{"maxReconnectAttempts", attemptsOpt(func(p *Policy) *int { return &p.MaxReconnectAttempts }), func(p Policy) string { return strconv.Itoa(p.MaxReconnectAttempts) }},
	{"startupMaxReconnectAttempts", attemptsOpt(func(p *Policy) *int { return &p.StartupMaxReconnectAttempts }), func(p Policy) string { return strconv.Itoa(p.StartupMaxReconnectAttempts) }},
	{"timeout", msOpt(func(p *Policy) *time.Duration { return &p.Timeout }, true), func(p Policy) string { return ms(p.Timeout) }},
}

func policyOptionNames() []string {
	names := make([]string, len(policyOptions))
	for i, o := range policyOptions {
		names[i] = o.name
	}
	return names
}

func ms(d time.Duration) string {
	if d < 0 {
		return "-1"
	}
	return strconv.FormatInt(d.Milliseconds(), 10)
}

func boolOpt(field func(*Policy) *bool) func(*Policy, string) error {
	return func(p *Policy, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errors.New("want true or false")
		}
		*field(p) = b
		return nil
	}
}

// msOpt reads milliseconds; with allowForever, -1 means Forever.
func msOpt(field func(*Policy) *time.Duration, allowForever bool) func(*Policy, string) error {
	return func(p *Policy, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		switch {
		case err != nil:
			return errors.New("want a whole number of milliseconds")
		case n == Forever && allowForever:
			*field(p) = Forever
		case n < 0:
			return errors.New("must not be negative")
		default:
			*field(p) = time.Duration(n) * time.Millisecond
		}
		return nil
	}
}

func attemptsOpt(field func(*Policy) *int) func(*Policy, string) error {
	return func(p *Policy, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < Forever {
			return errors.New("want -1 (forever), 0 (no retry) or a positive number")
		}
		*field(p) = n
		return nil
	}
}

func setMultiplier(p *Policy, v string) error {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 1 {
		return errors.New("want a number of at least 1")
	}
	p.BackOffMultiplier = f
	return nil
}

// set applies one URL option; known is false for names it does not own.
func (p *Policy) set(param Param) (known bool, err error) {
	for _, o := range policyOptions {
		if o.name == param.Name {
			return true, o.set(p, param.Value)
		}
	}
	return false, nil
}

// suggestOption names the option a misspelt one (wrong case) probably meant.
func suggestOption(name string) string {
	for _, o := range policyOptions {
		if strings.EqualFold(o.name, name) {
			return o.name
		}
	}
	return ""
}

// params lists the options that differ from DefaultPolicy, in ActiveMQ form.
func (p Policy) params() []string {
	def := DefaultPolicy()
	var out []string
	for _, o := range policyOptions {
		if v := o.get(p); v != o.get(def) {
			out = append(out, o.name+"="+v)
		}
	}
	return out
}

// attemptLimit is how many passes may follow a failed one, or Forever.
func (p Policy) attemptLimit(startup bool) int {
	if startup && p.StartupMaxReconnectAttempts != Forever {
		return p.StartupMaxReconnectAttempts
	}
	return p.MaxReconnectAttempts
}

// order returns the brokers in the order one pass tries them. Like
// ActiveMQ's failover transport, the broker whose connection just failed
// goes last, so a broker that accepts but misbehaves is not retried first.
func (p Policy) order(brokers []Broker, r *rand.Rand, failed string) []Broker {
	out := make([]Broker, 0, len(brokers))
	var last []Broker
	for _, b := range brokers {
		if b.String() == failed {
			last = append(last, b)
		} else {
			out = append(out, b)
		}
	}
	if p.Randomize && r != nil {
		r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	}
	return append(out, last...)
}

// backoff yields the pauses between passes over the broker list.
type backoff struct {
	p    Policy
	next time.Duration
}

func newBackoff(p Policy) *backoff { return &backoff{p: p, next: p.InitialReconnectDelay} }

// Pause returns the pause before the next pass and advances the back-off.
func (b *backoff) Pause() time.Duration {
	d := min(b.next, b.p.MaxReconnectDelay)
	if b.p.UseExponentialBackOff {
		b.next = time.Duration(float64(b.next) * b.p.BackOffMultiplier)
		if b.next > b.p.MaxReconnectDelay || b.next <= 0 {
			b.next = b.p.MaxReconnectDelay
		}
	}
	return d
}
