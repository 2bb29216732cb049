package cluster

import (
	"net"
	"strconv"
	"strings"
)

// FailoverURL is the client URL that lists every broker of the lab in order,
// for scheme "tcp" (OpenWire) or "stomp". randomize=false makes clients try
// the brokers in the lab's order and maxReconnectDelay=1000 keeps the
// reconnect back-off short enough to watch a failover happen.
func (l *Lab) FailoverURL(scheme string) string {
	p := l.Plan()
	var addrs []string
	for _, b := range p.Brokers {
		port := b.OpenWirePort
		if scheme == "stomp" {
			port = b.StompPort
		}
		if port != 0 {
			addrs = append(addrs, scheme+"://"+net.JoinHostPort(p.clientHost(), strconv.Itoa(port)))
		}
	}
	return "failover:(" + strings.Join(addrs, ",") + ")?randomize=false&maxReconnectDelay=1000"
}

// clientHost is the address a client on this machine dials: a lab listening
// on every interface is still reached on loopback.
func (p *Plan) clientHost() string {
	switch strings.Trim(p.Host, "[]") {
	case "", "0.0.0.0", "::":
		return "127.0.0.1"
	}
	return strings.Trim(p.Host, "[]")
}
