package scenarios

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/amqlab/amqlab/client"
	"github.com/amqlab/amqlab/cluster"
)

// ChaosOptions shape a chaos run; zero values give five SIGKILLs two
// seconds apart under a stream of persistent messages from the native
// client.
type ChaosOptions struct {
	Rounds   int           // failovers; default 5
	Interval time.Duration // production between failovers; default 2s
	Mode     string        // ModeKill (default) or ModeStop
	Driver   string        // client.DriverStomp (default) or client.DriverOpenWire
	Queue    string        // default DefaultChaosQueue
	// NonPersistent sends messages a broker keeps in memory only. They die
	// with the master, so the run must report loss: proof that the check
	// can fail. Never a way to run the lab.
	NonPersistent bool
	// Batch is the number of messages per send; default 100 for the native
	// driver and 1 for the openwire driver, whose producer tool gives all
	// messages of a send the same body, so only one message per send can
	// carry its own number.
	Batch int
	// Detach restarts old masters detached, as for the drill.
	Detach bool
	// WaitTimeout bounds each wait on the lab; default DefaultRoundTimeout.
	WaitTimeout time.Duration
	// OnProgress receives the counts every ProgressEvery and OnRound each
	// failover; they are never called at the same time.
	OnProgress func(ChaosProgress)
	OnRound    func(ChaosRound)
}

// DefaultChaosQueue keeps the chaos run's messages apart from the user's.
const DefaultChaosQueue = "queue://amqlab.chaos"

// ProgressEvery paces OnProgress.
const ProgressEvery = 250 * time.Millisecond

// drainIdle ends the draining consumer: the queue is empty once no message
// came for this long from a settled master.
const drainIdle = 3 * time.Second

// Phases of a chaos run, for the progress line.
const (
	PhaseProducing = "producing"
	PhaseFailover  = "failing over"
	PhaseDraining  = "draining"
)

// ChaosProgress is a snapshot while the run goes on.
type ChaosProgress struct {
	Phase        string        `json:"phase"`
	Round        int           `json:"round"` // failovers so far
	Rounds       int           `json:"rounds"`
	Master       string        `json:"master"`
	Sent         int           `json:"sent"`
	Acknowledged int           `json:"acknowledged"`
	Received     int           `json:"received"`
	Elapsed      time.Duration `json:"elapsed_ns"`
}

// ChaosRound is one failover under load.
type ChaosRound struct {
	Round     int    `json:"round"`
	OldMaster string `json:"old_master"`
	NewMaster string `json:"new_master"`
	// Failover is from the signal until the new master accepts on the
	// client's port.
	Failover float64 `json:"failover_s"`
	// NoMaster is how long no broker accepted on the client's port: from
	// the old master closing it until the new one opened it.
	NoMaster float64 `json:"no_master_s"`
	// Stall is the longest pause of the producer around this failover:
	// from its last acknowledgement before the signal to its first after.
	Stall float64 `json:"stall_s"`
	// AcknowledgedBefore is how many messages were acknowledged when the
	// master was signalled.
	AcknowledgedBefore int       `json:"acknowledged_before"`
	at                 time.Time // of the signal
}

// ChaosReport is the outcome of a chaos run.
type ChaosReport struct {
	Run          string       `json:"run"`
	Driver       string       `json:"driver"`
	URL          string       `json:"url"`
	Mode         string       `json:"mode"`
	Persistent   bool         `json:"persistent"`
	Queue        string       `json:"queue"`
	LockInterval int          `json:"lock_interval_ms"`
	Rounds       []ChaosRound `json:"rounds"`
	Tally
	Failover Spread `json:"failover"`
	Stall    Spread `json:"stall"`
	// Drained is false when the run ended before the queue was drained;
	// then only Sent and Acknowledged are known.
	Drained bool `json:"drained"`
	// ProducerFailovers counts the producer's reconnects.
	ProducerFailovers int     `json:"producer_failovers"`
	Seconds           float64 `json:"seconds"`
	OK                bool    `json:"ok"` // nothing acknowledged was lost
}

// ErrLost means acknowledged messages never came back.
var ErrLost = errors.New("acknowledged messages were lost")

// Chaos streams numbered messages through the failover URL while it ends
// the master every interval and starts it again, then drains the queue and
// accounts for every number. It returns the report and, if any
// acknowledged message was lost, an error wrapping ErrLost.
func Chaos(ctx context.Context, lab *cluster.Lab, o ChaosOptions) (*ChaosReport, error) {
	o = o.withDefaults()
	if err := checkMode(o.Mode); err != nil {
		return nil, err
	}
	start := time.Now()
	if _, _, err := currentMaster(ctx, lab); err != nil {
		return nil, err
	}
	prod, err := dialLab(ctx, lab, o.Driver)
	if err != nil {
		return nil, err
	}
	if o.Batch <= 0 {
		o.Batch = 100
		if prod.Driver == client.DriverOpenWire {
			o.Batch = 1
		}
	}
	c := &chaos{lab: lab, o: o, led: newLedger(runID()), port: prod.port, start: start}
	rep := &ChaosReport{
		Run: c.led.run, Driver: prod.Driver, URL: prod.URL, Mode: o.Mode, Persistent: !o.NonPersistent,
		Queue: o.Queue, LockInterval: lab.Plan().LockInterval, Rounds: []ChaosRound{},
	}
	stopTicker := c.tick()
	defer stopTicker()

	p := c.startProducer(ctx, prod)
	rounds, roundErr := c.failovers(ctx, p)
	stopped := time.Now()
	grace := c.o.WaitTimeout
	if roundErr != nil {
		grace = 0 // the lab may have no master to confirm the last send
	}
	failovers, prodErr := p.stop(grace)
	prod.Close()
	rep.ProducerFailovers = failovers
	rep.Rounds = rounds
	if err := cmp.Or(roundErr, prodErr); err != nil {
		rep.Sent, rep.Acknowledged = c.led.counts()
		rep.Seconds = time.Since(start).Seconds()
		return rep, err
	}

	c.setPhase(PhaseDraining, "")
	if err := c.drain(ctx); err != nil {
		rep.Sent, rep.Acknowledged = c.led.counts()
		rep.Seconds = time.Since(start).Seconds()
		return rep, err
	}
	rep.Drained = true
	rep.Tally = c.led.result()
	var failoverTimes, stalls []time.Duration
	for i := range rounds {
		until := stopped
		if i+1 < len(rounds) {
			until = rounds[i+1].at
		}
		stall := c.led.stall(rounds[i].at, until)
		rounds[i].Stall = stall.Seconds()
		stalls = append(stalls, stall)
		failoverTimes = append(failoverTimes, time.Duration(rounds[i].Failover*float64(time.Second)))
	}
	rep.Rounds = rounds
	rep.Failover, rep.Stall = SpreadOf(failoverTimes), SpreadOf(stalls)
	rep.Seconds = time.Since(start).Seconds()
	rep.OK = rep.Lost == 0
	if !rep.OK {
		return rep, fmt.Errorf("%w: %d of %d acknowledged messages never came back (first: %v)", ErrLost, rep.Lost, rep.Acknowledged, rep.LostSeqs)
	}
	return rep, nil
}

func (o ChaosOptions) withDefaults() ChaosOptions {
	if o.Rounds <= 0 {
		o.Rounds = 5
	}
	if o.Interval <= 0 {
		o.Interval = 2 * time.Second
	}
	if o.Mode == "" {
		o.Mode = ModeKill
	}
	if o.Queue == "" {
		o.Queue = DefaultChaosQueue
	}
	if o.WaitTimeout <= 0 {
		o.WaitTimeout = DefaultRoundTimeout
	}
	return o
}

// chaos is one run in progress.
type chaos struct {
	lab   *cluster.Lab
	o     ChaosOptions
	led   *ledger
	port  clientPort
	start time.Time

	mu       sync.Mutex // serialises callbacks and guards the fields below
	phase    string
	master   string
	round    int
	received int
}

func (c *chaos) setPhase(phase, master string) {
	c.mu.Lock()
	c.phase = phase
	if master != "" {
		c.master = master
	}
	c.mu.Unlock()
}

// tick reports progress until the returned func is called.
func (c *chaos) tick() func() {
	if c.o.OnProgress == nil {
		return func() {}
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(ProgressEvery)
		defer t.Stop()
		for {
			c.progress()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		close(done)
		<-stopped
		c.progress()
	}
}

func (c *chaos) progress() {
	sent, acked := c.led.counts()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.o.OnProgress(ChaosProgress{
		Phase: c.phase, Round: c.round, Rounds: c.o.Rounds, Master: c.master,
		Sent: sent, Acknowledged: acked, Received: c.received, Elapsed: time.Since(c.start),
	})
}

// failovers ends the master every interval, measures the takeover and
// starts the old master again, while the producer keeps sending.
func (c *chaos) failovers(ctx context.Context, p *producer) ([]ChaosRound, error) {
	var rounds []ChaosRound
	for n := 1; n <= c.o.Rounds; n++ {
		master, err := c.wait(ctx, p)
		if err != nil {
			return rounds, err
		}
		r, err := c.failover(ctx, n, master)
		rounds = append(rounds, r)
		if err != nil {
			return rounds, fmt.Errorf("failover %d: %w", n, err)
		}
		if c.o.OnRound != nil {
			c.mu.Lock()
			c.o.OnRound(r)
			c.mu.Unlock()
		}
	}
	// Let the producer work on the last master too, so that the last
	// failover's stall has an end.
	_, err := c.wait(ctx, p)
	return rounds, err
}

// wait lets the producer run for an interval and returns the master once
// roles have settled; it fails early when the producer fails.
func (c *chaos) wait(ctx context.Context, p *producer) (string, error) {
	c.setPhase(PhaseProducing, "")
	t := time.NewTimer(c.o.Interval)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case <-p.done:
		_, err := p.stop(0)
		return "", fmt.Errorf("the producer stopped: %w", err)
	case <-t.C:
	}
	wctx, cancel := context.WithTimeout(ctx, c.o.WaitTimeout)
	defer cancel()
	master, _, err := currentMaster(wctx, c.lab)
	if err == nil {
		c.setPhase(PhaseProducing, master)
	}
	return master, err
}

func (c *chaos) failover(ctx context.Context, n int, master string) (ChaosRound, error) {
	ctx, cancel := context.WithTimeout(ctx, c.o.WaitTimeout)
	defer cancel()
	r := ChaosRound{Round: n, OldMaster: master, AcknowledgedBefore: c.led.acknowledged()}
	detached, err := isDetached(ctx, c.lab, master)
	if err != nil {
		return r, err
	}
	c.setPhase(PhaseFailover, master)
	tk, err := breakMaster(ctx, c.lab, master, c.o.Mode, c.port, nil)
	r.at, r.NewMaster, r.Failover = tk.At, tk.New, tk.Accepting.Seconds()
	r.NoMaster = max(tk.Accepting-tk.Closed, 0).Seconds()
	if err != nil {
		return r, err
	}
	c.mu.Lock()
	c.round, c.master = n, tk.New
	c.mu.Unlock()
	if err := c.lab.Start(ctx, cluster.StartOptions{Brokers: []string{master}, Detach: detached || c.o.Detach}); err != nil {
		return r, fmt.Errorf("start %s again: %w", master, err)
	}
	return r, nil
}

// drain consumes the queue until it stays empty and records every
// delivery. If anything looks lost it drains once more, so a consumer that
// idled out early cannot fake a loss.
func (c *chaos) drain(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, c.o.WaitTimeout)
	defer cancel()
	if _, _, err := currentMaster(ctx, c.lab); err != nil {
		return err
	}
	for pass := 0; pass < 2; pass++ {
		cons, err := dialLab(ctx, c.lab, c.o.Driver)
		if err != nil {
			return err
		}
		sent, _ := c.led.counts()
		_, err = cons.Consume(ctx, c.o.Queue, client.ConsumeOptions{Max: 2*sent + 100, Idle: drainIdle}, func(m client.Received) error {
			c.led.deliver(m.Body)
			c.mu.Lock()
			c.received++
			c.mu.Unlock()
			return nil
		})
		cons.Close()
		if err != nil {
			return fmt.Errorf("drain %s: %w", c.o.Queue, err)
		}
		if c.led.result().Lost == 0 {
			return nil
		}
	}
	return nil
}
