package client

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Protocols a broker URL can speak.
const (
	ProtocolStomp    = "stomp"
	ProtocolOpenWire = "openwire"
)

// Default ports when a broker URL leaves the port out, as in ActiveMQ's stock
// configuration.
const (
	defaultStompPort    = 61613
	defaultOpenWirePort = 61616
)

// schemes maps the URL schemes ActiveMQ clients use to the wire protocol.
// NIO variants are the same protocol on the wire.
var schemes = map[string]string{
	"stomp":     ProtocolStomp,
	"stomp+nio": ProtocolStomp,
	"tcp":       ProtocolOpenWire,
	"nio":       ProtocolOpenWire,
}

// URL is a parsed ActiveMQ client URL: one broker, or a failover group of
// brokers with the failover transport's reconnect policy.
type URL struct {
	Raw      string   // as given
	Failover bool     // failover:(…) rather than a single broker
	Brokers  []Broker // in the order given
	Policy   Policy
	// Extra holds failover options this package does not interpret (for
	// example trackMessages or jms.*). The openwire driver passes them on to
	// ActiveMQ's own client; the native driver refuses them.
	Extra []Param
}

// Broker is one member of a URL.
type Broker struct {
	Scheme string // as given: stomp, stomp+nio, tcp or nio
	Host   string
	Port   int
	Query  string // options of this member, verbatim, without '?'
	offset int    // where the member starts in URL.Raw, for error messages
}

// Param is one name=value option and where it sits in the raw URL.
type Param struct {
	Name, Value string
	offset      int
}

// Protocol is ProtocolStomp or ProtocolOpenWire.
func (b Broker) Protocol() string { return schemes[b.Scheme] }

// Addr is host:port for dialing.
func (b Broker) Addr() string { return net.JoinHostPort(b.Host, strconv.Itoa(b.Port)) }

// String renders the member as a URL again.
func (b Broker) String() string {
	s := b.Scheme + "://" + b.Addr()
	if b.Query != "" {
		s += "?" + b.Query
	}
	return s
}

// Protocol is the wire protocol every member of u speaks.
func (u *URL) Protocol() string { return u.Brokers[0].Protocol() }

// String renders u in ActiveMQ's syntax with the options that differ from
// the failover transport's defaults.
func (u *URL) String() string {
	if !u.Failover {
		return u.Brokers[0].String()
	}
	members := make([]string, len(u.Brokers))
	for i, b := range u.Brokers {
		members[i] = b.String()
	}
	s := "failover:(" + strings.Join(members, ",") + ")"
	opts := u.Policy.params()
	for _, p := range u.Extra {
		opts = append(opts, p.Name+"="+p.Value)
	}
	if len(opts) > 0 {
		s += "?" + strings.Join(opts, "&")
	}
	return s
}

// URLError is a malformed URL. It quotes the URL and marks the bad part so
// the user sees at once what to fix.
type URLError struct {
	URL    string
	Offset int // byte offset of the bad part in URL
	Len    int // length of the bad part (at least 1 when shown)
	Reason string
}

func (e *URLError) Error() string {
	n := max(e.Len, 1)
	off := min(max(e.Offset, 0), len(e.URL))
	return fmt.Sprintf("bad URL: %s\n  %s\n  %s%s", e.Reason, e.URL, strings.Repeat(" ", off), strings.Repeat("^", n))
}

func badPart(raw string, off, n int, format string, args ...any) *URLError {
	return &URLError{URL: raw, Offset: off, Len: n, Reason: fmt.Sprintf(format, args...)}
}

// ParseURL parses an ActiveMQ-style client URL:
//
//	failover:(stomp://127.0.0.1:61613,stomp://127.0.0.1:61614)?randomize=false&maxReconnectDelay=1000
//	failover:stomp://127.0.0.1:61613,stomp://127.0.0.1:61614
//	stomp://127.0.0.1:61613
//	tcp://127.0.0.1:61616                      (OpenWire, for the openwire driver)
//
// As in ActiveMQ, options after the parentheses belong to the failover
// transport; without parentheses a trailing '?…' belongs to the last broker.
// A single broker URL never reconnects. All members must speak one protocol.
func ParseURL(raw string) (*URL, error) {
	s := strings.TrimSpace(raw)
	lead := strings.Index(raw, s)
	if s == "" {
		return nil, badPart(raw, 0, 1, "the URL is empty; give e.g. failover:(stomp://127.0.0.1:61613,stomp://127.0.0.1:61614)")
	}
	u := &URL{Raw: raw, Policy: DefaultPolicy()}
	const prefix = "failover:"
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		b, err := parseBroker(raw, s, lead)
		if err != nil {
			return nil, err
		}
		u.Brokers = []Broker{b}
		u.Policy = singleBrokerPolicy()
		return u, nil
	}
	u.Failover = true
	rest, at := s[len(prefix):], lead+len(prefix)
	members, query, qAt := rest, "", -1
	if strings.HasPrefix(rest, "(") {
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return nil, badPart(raw, at, 1, "'(' is never closed; write failover:(url1,url2)?options")
		}
		members, at = rest[1:end], at+1
		after := rest[end+1:]
		switch {
		case after == "":
		case after[0] == '?':
			query, qAt = after[1:], at+end+1
		default:
			return nil, badPart(raw, at+end, len(after), "unexpected text after ')'; failover options follow a '?'")
		}
	}
	if err := u.parseMembers(members, at); err != nil {
		return nil, err
	}
	if qAt >= 0 {
		if err := u.parseOptions(query, qAt); err != nil {
			return nil, err
		}
	}
	return u, nil
}

func (u *URL) parseMembers(list string, at int) error {
	if strings.TrimSpace(list) == "" {
		return badPart(u.Raw, at, 1, "the failover list is empty; name at least one broker, e.g. stomp://127.0.0.1:61613")
	}
	for _, m := range strings.Split(list, ",") {
		trimmed := strings.TrimSpace(m)
		mAt := at + strings.Index(m, trimmed)
		if trimmed == "" {
			return badPart(u.Raw, at, max(len(m), 1), "empty entry in the broker list (two commas in a row?)")
		}
		b, err := parseBroker(u.Raw, trimmed, mAt)
		if err != nil {
			return err
		}
		if first := u.Brokers; len(first) > 0 && first[0].Protocol() != b.Protocol() {
			return badPart(u.Raw, mAt, len(b.Scheme), "%s speaks %s but %s speaks %s; one URL must use one protocol", b.Scheme, b.Protocol(), first[0].Scheme, first[0].Protocol())
		}
		u.Brokers = append(u.Brokers, b)
		at += len(m) + 1
	}
	return nil
}

// parseBroker parses scheme://host[:port][?query]; at is s's offset in raw.
func parseBroker(raw, s string, at int) (Broker, error) {
	sep := strings.Index(s, "://")
	if sep <= 0 {
		return Broker{}, badPart(raw, at, len(s), "%q is not a broker URL; write scheme://host:port, e.g. stomp://127.0.0.1:61613", s)
	}
	b := Broker{Scheme: strings.ToLower(s[:sep]), offset: at}
	if _, ok := schemes[b.Scheme]; !ok {
		reason := "unknown scheme %q; use stomp:// (native driver) or tcp:// (openwire driver)"
		if strings.Contains(b.Scheme, "ssl") || strings.Contains(b.Scheme, "tls") {
			reason = "scheme %q needs TLS, which amqlab's lab does not use; use stomp:// or tcp://"
		}
		return Broker{}, badPart(raw, at, sep, reason, s[:sep])
	}
	hostPort, hpAt := s[sep+3:], at+sep+3
	if q := strings.IndexByte(hostPort, '?'); q >= 0 {
		b.Query = hostPort[q+1:]
		hostPort = hostPort[:q]
	}
	if hostPort == "" {
		return Broker{}, badPart(raw, hpAt, 1, "missing host after %s://", b.Scheme)
	}
	host, port, err := splitHostPort(hostPort)
	if err != nil {
		return Broker{}, badPart(raw, hpAt, len(hostPort), "%q: %v", hostPort, err)
	}
	b.Host = host
	switch {
	case port == "" && b.Protocol() == ProtocolStomp:
		b.Port = defaultStompPort
	case port == "":
		b.Port = defaultOpenWirePort
	default:
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			pAt := hpAt + len(hostPort) - len(port)
			return Broker{}, badPart(raw, pAt, len(port), "port %q is not a number from 1 to 65535", port)
		}
		b.Port = n
	}
	return b, nil
}

// splitHostPort accepts host, host:port, [v6] and [v6]:port.
func splitHostPort(s string) (host, port string, err error) {
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", "", fmt.Errorf("missing ']' after the IPv6 address")
		}
		host, rest := s[1:end], s[end+1:]
		if rest == "" {
			return host, "", nil
		}
		if rest[0] != ':' {
			return "", "", fmt.Errorf("expected ':port' after ']'")
		}
		return host, rest[1:], nil
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		if strings.Count(s, ":") > 1 {
			return "", "", fmt.Errorf("write an IPv6 address in brackets, e.g. [::1]:61613")
		}
		if i == 0 {
			return "", "", fmt.Errorf("missing host before ':'")
		}
		return s[:i], s[i+1:], nil
	}
	return s, "", nil
}

// parseOptions reads name=value pairs joined by '&'; at is query's offset.
func (u *URL) parseOptions(query string, at int) error {
	if query == "" {
		return nil
	}
	for _, kv := range strings.Split(query, "&") {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			return badPart(u.Raw, at, max(len(kv), 1), "option %q is not name=value", kv)
		}
		p := Param{Name: name, Value: value, offset: at}
		known, err := u.Policy.set(p)
		if err != nil {
			return badPart(u.Raw, at+len(name)+1, max(len(value), 1), "%s=%q: %v", name, value, err)
		}
		if !known {
			u.Extra = append(u.Extra, p)
		}
		at += len(kv) + 1
	}
	return nil
}

// nativeCheck refuses what the native STOMP driver cannot honour, pointing
// at the part of the URL concerned.
func (u *URL) nativeCheck() error {
	for _, b := range u.Brokers {
		if b.Protocol() != ProtocolStomp {
			return badPart(u.Raw, b.offset, len(b.Scheme), "the stomp driver needs stomp:// URLs; use --driver openwire for %s:// (OpenWire)", b.Scheme)
		}
		if b.Query != "" {
			at := b.offset + strings.Index(b.String(), "?")
			return badPart(u.Raw, at, len(b.Query)+1, "the stomp driver takes no per-broker options; put failover options after the list: failover:(…)?randomize=false")
		}
	}
	for _, p := range u.Extra {
		reason := "option %q is not supported by the stomp driver (it supports %s)"
		if suggestion := suggestOption(p.Name); suggestion != "" {
			reason = "unknown option %q; did you mean " + suggestion + "? (supported: %s)"
		}
		return badPart(u.Raw, p.offset, len(p.Name), reason, p.Name, strings.Join(policyOptionNames(), ", "))
	}
	return nil
}
