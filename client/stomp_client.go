package client

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/go-stomp/stomp/v3/frame"
)

// stompClient is the native driver: STOMP sessions plus our own failover.
type stompClient struct {
	opts   Options
	walker *walker[*session]
	sess   *session // nil after a loss until the next operation reconnects
	failed string   // the broker whose connection was lost last
	seq    int      // for receipt and subscription ids
}

func dialStomp(ctx context.Context, u *URL, opts Options) (*stompClient, error) {
	if err := u.nativeCheck(); err != nil {
		return nil, err
	}
	if opts.Window <= 0 {
		opts.Window = DefaultWindow
	}
	// Receipts of a window must fit the read-ahead, or reader and writer
	// could wait on each other.
	opts.Window = min(opts.Window, inboxSize)
	if opts.ReceiptTimeout <= 0 {
		opts.ReceiptTimeout = DefaultReceiptTimeout
	}
	c := &stompClient{opts: opts}
	c.walker = &walker[*session]{
		brokers: u.Brokers,
		policy:  u.Policy,
		rnd:     rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
		dial: func(ctx context.Context, b Broker) (*session, error) {
			return dialSession(ctx, b, opts.ReceiptTimeout)
		},
		fatal:  isBrokerError,
		onFail: func(b Broker, err error) { opts.emit(Event{Kind: AttemptFailed, Broker: b.String(), Err: err}) },
		sleep:  sleepCtx,
	}
	if err := c.connect(ctx, true); err != nil {
		return nil, err
	}
	return c, nil
}

func isBrokerError(err error) bool {
	var be *BrokerError
	return errors.As(err, &be)
}

func (c *stompClient) connect(ctx context.Context, startup bool) error {
	s, b, err := c.walker.connect(ctx, startup, c.failed)
	if err != nil {
		return err
	}
	c.sess = s
	c.opts.emit(Event{Kind: Connected, Broker: b.String()})
	return nil
}

// live returns a connected session; reconnected tells that it had to find
// a broker again after a loss.
func (c *stompClient) live(ctx context.Context) (s *session, reconnected bool, err error) {
	if c.sess != nil {
		return c.sess, false, nil
	}
	if err := c.connect(ctx, false); err != nil {
		return nil, false, err
	}
	return c.sess, true, nil
}

// recoverable tells a lost connection, worth a failover, from a refusal by
// the broker or the caller's cancellation.
func (c *stompClient) recoverable(ctx context.Context, err error) bool {
	return ctx.Err() == nil && !isBrokerError(err)
}

// drop forgets the current session after err; a connection loss is reported.
func (c *stompClient) drop(err error, lost bool) {
	if c.sess == nil {
		return
	}
	if lost {
		c.failed = c.sess.broker.String()
		c.opts.emit(Event{Kind: Disconnected, Broker: c.failed, Err: err})
	}
	_ = c.sess.abort()
	c.sess = nil
}

func (c *stompClient) newID(prefix string) string {
	c.seq++
	return prefix + "-" + strconv.Itoa(c.seq)
}

// Close disconnects politely.
func (c *stompClient) Close() error {
	if c.sess == nil {
		return nil
	}
	err := c.sess.close()
	c.sess = nil
	return err
}

// stopError carries a consume handler's error out of the receive loop
// without being mistaken for a lost connection.
type stopError struct{ err error }

func (e stopError) Error() string { return e.err.Error() }
func (e stopError) Unwrap() error { return e.err }

// retry runs op on a live session and fails over while the failure is a
// lost connection, counting the reconnects in failovers.
func (c *stompClient) retry(ctx context.Context, failovers *int, op func(*session) error) error {
	for {
		s, reconnected, err := c.live(ctx)
		if err != nil {
			return err
		}
		if reconnected {
			*failovers++
		}
		err = op(s)
		if err == nil || errors.As(err, new(stopError)) {
			return err // the session is fine; the caller chose to stop
		}
		if !c.recoverable(ctx, err) {
			c.drop(err, false)
			return err
		}
		c.drop(err, true)
	}
}

// Browse implements Client. A browse that loses its connection starts
// again on the next broker: its result is one consistent snapshot.
func (c *stompClient) Browse(ctx context.Context, dest string) ([]Received, error) {
	d, err := ParseDestination(dest)
	if err != nil {
		return nil, err
	}
	if err := d.browsable(); err != nil {
		return nil, err
	}
	var out []Received
	var failovers int
	err = c.retry(ctx, &failovers, func(s *session) error {
		var err error
		out, err = c.browseOnce(ctx, s, d)
		return err
	})
	return out, err
}

func (c *stompClient) browseOnce(ctx context.Context, s *session, d Destination) ([]Received, error) {
	id := c.newID("browse")
	sub := frame.New(frame.SUBSCRIBE,
		frame.Destination, d.stomp(),
		frame.Id, id,
		frame.Ack, "auto",
		"browser", "true")
	if err := s.write(sub); err != nil {
		return nil, err
	}
	if err := s.flush(); err != nil {
		return nil, err
	}
	var out []Received
	stall := time.NewTimer(s.patience)
	defer stall.Stop()
	for {
		f, err := s.receive(ctx, stall.C)
		switch {
		case err != nil:
			return nil, err
		case f.Command != frame.MESSAGE || f.Header.Get(frame.Subscription) != id:
			continue
		case f.Header.Get("browser") == "end":
			// The broker ends the browse itself; nothing to unsubscribe.
			return out, nil
		}
		out = append(out, received(f, len(out), s.broker))
		stall.Reset(s.patience)
	}
}

// Consume implements Client. After a failover it subscribes again; messages
// handled but not yet acknowledged on the store come back, and are counted
// as duplicates by their message id.
func (c *stompClient) Consume(ctx context.Context, dest string, o ConsumeOptions, handle func(Received) error) (ConsumeResult, error) {
	d, err := ParseDestination(dest)
	if err != nil {
		return ConsumeResult{}, err
	}
	start := time.Now()
	var res ConsumeResult
	seen := map[string]bool{}
	err = c.retry(ctx, &res.Failovers, func(s *session) error {
		return c.consumeOnce(ctx, s, d, o, handle, &res, seen)
	})
	res.Elapsed = time.Since(start)
	var stop stopError
	if errors.As(err, &stop) {
		return res, stop.err
	}
	return res, err
}

// maxPrefetch bounds the messages the broker pushes ahead of our acks; it
// stays below the read-ahead so reading never blocks on our writes.
const maxPrefetch = 500

func (c *stompClient) consumeOnce(ctx context.Context, s *session, d Destination, o ConsumeOptions, handle func(Received) error, res *ConsumeResult, seen map[string]bool) error {
	prefetch := maxPrefetch
	if o.Max > 0 {
		prefetch = min(prefetch, o.Max-res.Received)
	}
	id := c.newID("consume")
	sub := frame.New(frame.SUBSCRIBE,
		frame.Destination, d.stomp(),
		frame.Id, id,
		frame.Ack, "client-individual",
		"activemq.prefetchSize", strconv.Itoa(prefetch))
	if err := s.write(sub); err != nil {
		return err
	}
	if err := s.flush(); err != nil {
		return err
	}
	idle := newIdleTimer(o.Idle)
	defer idle.stop()
	for {
		if o.Max > 0 && res.Received >= o.Max {
			finish(ctx, s, id)
			return nil
		}
		f, err := s.next(ctx, idle.c())
		switch {
		case err == errWait:
			finish(ctx, s, id)
			return nil
		case err != nil:
			return err
		case f.Command == frame.ERROR:
			return s.brokerError(f)
		case f.Command != frame.MESSAGE || f.Header.Get(frame.Subscription) != id:
			continue
		}
		m := received(f, res.Received, s.broker)
		m.Duplicate = seen[m.ID]
		if err := handle(m); err != nil {
			finish(ctx, s, id)
			return stopError{err}
		}
		if err := s.write(ackFrame(s.version, f)); err != nil {
			return err
		}
		if err := s.flush(); err != nil {
			return err
		}
		res.Received++
		if m.Redelivered {
			res.Redelivered++
		}
		if m.Duplicate {
			res.Duplicates++
		}
		seen[m.ID] = true
		idle.reset()
	}
}

// ackFrame acknowledges one message: STOMP 1.2 names it by its ack header,
// 1.1 by message id and subscription.
func ackFrame(version string, m *frame.Frame) *frame.Frame {
	if version == "1.2" {
		return frame.New(frame.ACK, frame.Id, m.Header.Get(frame.Ack))
	}
	return frame.New(frame.ACK,
		frame.MessageId, m.Header.Get(frame.MessageId),
		frame.Subscription, m.Header.Get(frame.Subscription))
}

// finish ends a subscription and waits for its receipt, which also proves
// the broker processed every acknowledgement sent before it. Its failure
// is not the consumer's: acknowledgements lost with the connection only
// mean redeliveries, which at-least-once allows.
func finish(ctx context.Context, s *session, id string) {
	_ = s.request(ctx, frame.New(frame.UNSUBSCRIBE, frame.Id, id), id+"-end")
}
