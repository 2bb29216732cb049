package scenarios

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/amqlab/amqlab/client"
	"github.com/amqlab/amqlab/cluster"
)

// DrillOptions shape a failover drill; zero values give one round that
// SIGKILLs the master and checks with the native client.
type DrillOptions struct {
	Rounds int    // default 1
	Mode   string // ModeKill (default) or ModeStop
	Driver string // client.DriverStomp (default) or client.DriverOpenWire
	Queue  string // default DefaultDrillQueue
	// Detach restarts old masters detached, so that they outlive the
	// process running the drill (what the CLI wants). Brokers started
	// detached before stay detached either way.
	Detach bool
	// RoundTimeout bounds one round; default DefaultRoundTimeout.
	RoundTimeout time.Duration
	// OnRound, if set, receives each round as soon as it is over.
	OnRound func(DrillRound)
}

// DefaultDrillQueue keeps the drill's markers apart from the user's queues.
const DefaultDrillQueue = "queue://amqlab.drill"

// DefaultRoundTimeout is generous: a round on a busy two-core machine takes
// a few seconds, and a stuck one should fail, not hang.
const DefaultRoundTimeout = 2 * time.Minute

// DrillRound is one failover of the drill.
type DrillRound struct {
	Round     int    `json:"round"`
	Mode      string `json:"mode"`
	OldMaster string `json:"old_master"`
	NewMaster string `json:"new_master"`
	// MasterAccepts is from signalling the old master until the new one
	// accepts connections on the client's port.
	MasterAccepts float64 `json:"master_accepts_s"`
	// ClientReconnected is from the signal until the client, which started
	// failing over as soon as the old master closed its port, connected again.
	ClientReconnected float64 `json:"client_reconnected_s"`
	ClientBefore      string  `json:"client_before"` // broker URL the marker was sent to
	ClientAfter       string  `json:"client_after"`  // broker URL the client reconnected to
	MarkerID          string  `json:"marker_id"`
	MarkerIDAfter     string  `json:"marker_id_after,omitempty"`
	MarkerKept        bool    `json:"marker_kept"`
	OK                bool    `json:"ok"`
	Error             string  `json:"error,omitempty"`
}

// DrillReport is the outcome of a drill.
type DrillReport struct {
	Driver            string       `json:"driver"`
	URL               string       `json:"url"`
	Mode              string       `json:"mode"`
	LockInterval      int          `json:"lock_interval_ms"`
	Rounds            []DrillRound `json:"rounds"`
	MasterAccepts     Spread       `json:"master_accepts"`
	ClientReconnected Spread       `json:"client_reconnected"`
	MarkersLost       int          `json:"markers_lost"`
	OK                bool         `json:"ok"`
}

// Drill runs failover rounds on a running lab: send a persistent marker
// through the failover URL, end the master, time the takeover from the
// broker's and the client's side, and check the marker is still there with
// the same message id. The old master is started again after each round,
// so the lab ends as it began. It returns an error when a round fails.
func Drill(ctx context.Context, lab *cluster.Lab, o DrillOptions) (*DrillReport, error) {
	if o.Rounds <= 0 {
		o.Rounds = 1
	}
	if o.Mode == "" {
		o.Mode = ModeKill
	}
	if err := checkMode(o.Mode); err != nil {
		return nil, err
	}
	if o.Queue == "" {
		o.Queue = DefaultDrillQueue
	}
	if o.RoundTimeout <= 0 {
		o.RoundTimeout = DefaultRoundTimeout
	}
	if _, _, err := currentMaster(ctx, lab); err != nil {
		return nil, err
	}
	c, err := dialLab(ctx, lab, o.Driver)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	rep := &DrillReport{Driver: c.Driver, URL: c.URL, Mode: o.Mode, LockInterval: lab.Plan().LockInterval, Rounds: []DrillRound{}}
	d := &drill{lab: lab, c: c, o: o, run: runID()}
	var accepts, reconnects []time.Duration
	var failed error
	for n := 1; n <= o.Rounds && failed == nil; n++ {
		r, tk, err := d.round(ctx, n)
		if err != nil {
			r.Error = err.Error()
			failed = fmt.Errorf("round %d: %w", n, err)
		}
		r.OK = err == nil
		if !r.MarkerKept {
			rep.MarkersLost++
		}
		if tk.Accepting > 0 {
			accepts = append(accepts, tk.Accepting)
		}
		if r.ClientReconnected > 0 {
			reconnects = append(reconnects, time.Duration(r.ClientReconnected*float64(time.Second)))
		}
		rep.Rounds = append(rep.Rounds, r)
		if o.OnRound != nil {
			o.OnRound(r)
		}
	}
	rep.MasterAccepts, rep.ClientReconnected = SpreadOf(accepts), SpreadOf(reconnects)
	if failed == nil {
		failed = d.drain(ctx)
	}
	rep.OK = failed == nil
	return rep, failed
}

type drill struct {
	lab *cluster.Lab
	c   *labClient
	o   DrillOptions
	run string
}

func (d *drill) marker(n int) []byte {
	return []byte("amqlab-drill/" + d.run + "/" + strconv.Itoa(n))
}

func (d *drill) round(parent context.Context, n int) (DrillRound, takeover, error) {
	ctx, cancel := context.WithTimeout(parent, d.o.RoundTimeout)
	defer cancel()
	r := DrillRound{Round: n, Mode: d.o.Mode}
	var tk takeover
	master, _, err := currentMaster(ctx, d.lab)
	if err != nil {
		return r, tk, err
	}
	r.OldMaster = master
	detached, err := isDetached(ctx, d.lab, master)
	if err != nil {
		return r, tk, err
	}
	marker := d.marker(n)
	if _, err := d.c.Send(ctx, d.o.Queue, []client.Message{{Body: marker}}, client.SendOptions{Persistent: true}); err != nil {
		return r, tk, fmt.Errorf("send the marker: %w", err)
	}
	before, err := d.c.Browse(ctx, d.o.Queue)
	if err != nil {
		return r, tk, fmt.Errorf("browse for the marker: %w", err)
	}
	if e, ok := d.c.lastConnect(); ok {
		r.ClientBefore = e.Broker
	}
	if r.MarkerID = findBody(before, marker); r.MarkerID == "" {
		return r, tk, fmt.Errorf("the marker just sent is not on %s (%d messages browsed)", d.o.Queue, len(before))
	}

	type browsed struct {
		msgs []client.Received
		err  error
	}
	probe := make(chan browsed, 1)
	probeCtx, stopProbe := context.WithCancel(ctx)
	defer stopProbe()
	started := false
	tk, err = breakMaster(ctx, d.lab, master, d.o.Mode, d.c.port, func() {
		started = true
		go func() {
			msgs, err := d.c.Browse(probeCtx, d.o.Queue)
			probe <- browsed{msgs, err}
		}()
	})
	r.NewMaster = tk.New
	r.MasterAccepts = tk.Accepting.Seconds()
	if err != nil {
		stopProbe() // no broker will answer it
	}
	var after browsed
	if started {
		after = <-probe
	}
	if err != nil {
		return r, tk, err
	}
	if after.err != nil {
		return r, tk, fmt.Errorf("browse through the failover URL after the takeover: %w", after.err)
	}
	if e, ok := d.c.connectAfter(tk.At); ok {
		r.ClientAfter, r.ClientReconnected = e.Broker, e.At.Sub(tk.At).Seconds()
	}
	r.MarkerIDAfter = findBody(after.msgs, marker)
	r.MarkerKept = r.MarkerIDAfter != "" && r.MarkerIDAfter == r.MarkerID
	if err := d.restart(ctx, master, detached); err != nil {
		return r, tk, err
	}
	switch {
	case r.MarkerIDAfter == "":
		return r, tk, fmt.Errorf("the marker %s is gone after %s took over", r.MarkerID, tk.New)
	case !r.MarkerKept:
		return r, tk, fmt.Errorf("the marker came back with id %s instead of %s", r.MarkerIDAfter, r.MarkerID)
	case r.ClientAfter == "":
		return r, tk, errors.New("the browse after the takeover succeeded without the client reporting a new connection")
	}
	return r, tk, nil
}

// restart brings the old master back and waits until it waits as a slave.
func (d *drill) restart(ctx context.Context, name string, detached bool) error {
	if err := d.lab.Start(ctx, cluster.StartOptions{Brokers: []string{name}, Detach: detached || d.o.Detach}); err != nil {
		return fmt.Errorf("start %s again: %w", name, err)
	}
	if _, _, err := currentMaster(ctx, d.lab); err != nil {
		return fmt.Errorf("after starting %s again: %w", name, err)
	}
	return nil
}

// drain takes this drill's markers off the queue so that repeated drills
// do not pile them up.
func (d *drill) drain(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, d.o.RoundTimeout)
	defer cancel()
	_, err := d.c.Consume(ctx, d.o.Queue, client.ConsumeOptions{Max: d.o.Rounds, Idle: 2 * time.Second}, func(client.Received) error { return nil })
	if err != nil {
		return fmt.Errorf("remove the drill's markers from %s: %w", d.o.Queue, err)
	}
	return nil
}

// findBody returns the message id of the browsed message with body, or "".
func findBody(msgs []client.Received, body []byte) string {
	for _, m := range msgs {
		if string(m.Body) == string(body) {
			return m.ID
		}
	}
	return ""
}

func isDetached(ctx context.Context, lab *cluster.Lab, name string) (bool, error) {
	st, err := lab.Status(ctx)
	if err != nil {
		return false, err
	}
	for _, s := range st {
		if s.Name == name {
			return s.Detached, nil
		}
	}
	return false, nil
}

// runID tells one run's messages from another's on a shared queue.
func runID() string {
	return strconv.FormatInt(time.Now().UnixNano(), 36)
}
