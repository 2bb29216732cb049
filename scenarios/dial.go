package scenarios

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/amqlab/amqlab/client"
	"github.com/amqlab/amqlab/cluster"
)

// labClient is a client on the lab's failover URL that remembers where it
// connected and when, which is the evidence of a failover from the
// client's side.
type labClient struct {
	client.Client
	URL    string
	Driver string
	port   clientPort

	mu        sync.Mutex
	connected []client.Event
}

// dialLab connects a client of driver to every broker of the lab through
// the failover URL, in plan order.
func dialLab(ctx context.Context, lab *cluster.Lab, driver string) (*labClient, error) {
	lc := &labClient{Driver: driver}
	switch driver {
	case "", client.DriverStomp:
		if !lab.Plan().Stomp {
			return nil, fmt.Errorf("the lab's brokers have no STOMP connector, which the %s driver needs; use --driver %s or re-create the lab with --stomp", client.DriverStomp, client.DriverOpenWire)
		}
		lc.Driver, lc.URL, lc.port = client.DriverStomp, lab.FailoverURL("stomp"), stompPort
	case client.DriverOpenWire:
		lc.URL, lc.port = lab.FailoverURL("tcp"), openWirePort
	default:
		return nil, fmt.Errorf("unknown driver %q; use %s or %s", driver, client.DriverStomp, client.DriverOpenWire)
	}
	c, err := client.Dial(ctx, lc.URL, client.Options{
		Driver:  lc.Driver,
		Home:    lab.Plan().Brokers[0].Home,
		OnEvent: lc.record,
	})
	if err != nil {
		return nil, fmt.Errorf("connect to the lab through %s: %w", lc.URL, err)
	}
	lc.Client = c
	return lc, nil
}

func (lc *labClient) record(e client.Event) {
	if e.Kind != client.Connected {
		return
	}
	lc.mu.Lock()
	lc.connected = append(lc.connected, e)
	lc.mu.Unlock()
}

// lastConnect is the latest connection the client made, if any.
func (lc *labClient) lastConnect() (client.Event, bool) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if len(lc.connected) == 0 {
		return client.Event{}, false
	}
	return lc.connected[len(lc.connected)-1], true
}

// connectAfter is the first connection made after t.
func (lc *labClient) connectAfter(t time.Time) (client.Event, bool) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	for _, e := range lc.connected {
		if e.At.After(t) {
			return e, true
		}
	}
	return client.Event{}, false
}
