package cluster

import (
	"fmt"
	"net"
)

// FreePorts returns n distinct loopback ports that were free a moment ago.
// All are held open together while they are chosen, so none repeats.
func FreePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	held := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range held {
			l.Close()
		}
	}()
	for len(ports) < n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		held = append(held, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// WithFreePorts returns opts with every OpenWire, STOMP and web-console
// port of its brokers set to a free loopback port, so that labs can run side
// by side, in tests for example.
func WithFreePorts(opts PlanOptions) (PlanOptions, error) {
	n := opts.Brokers
	if n == 0 {
		n = DefaultBrokers
	}
	ports, err := FreePorts(3 * n)
	if err != nil {
		return opts, err
	}
	opts.OpenWirePorts, opts.StompPorts, opts.WebPorts = ports[:n], ports[n:2*n], ports[2*n:]
	return opts, nil
}
