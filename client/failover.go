package client

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// walker finds a reachable broker the way ActiveMQ's failover transport
// does: try every broker of the list in order (or shuffled), and after a
// pass in which all failed, pause with back-off and start another pass
// until the attempt limit or the timeout is reached.
type walker[T any] struct {
	brokers []Broker
	policy  Policy
	rnd     *rand.Rand
	dial    func(context.Context, Broker) (T, error)
	// fatal reports errors that end the walk at once (a broker that answers
	// and refuses us will refuse again).
	fatal  func(error) bool
	onFail func(Broker, error)
	sleep  func(context.Context, time.Duration) error
}

// connect returns the first broker that accepts. startup selects the
// startup attempt limit; failed names the broker just lost, tried last.
func (w *walker[T]) connect(ctx context.Context, startup bool, failed string) (T, Broker, error) {
	var zero T
	start := time.Now()
	if w.policy.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, w.policy.Timeout, errWalkTimeout)
		defer cancel()
	}
	limit := w.policy.attemptLimit(startup)
	last := map[string]error{}
	back := newBackoff(w.policy)
	for pass := 1; ; pass++ {
		for _, b := range w.policy.order(w.brokers, w.rnd, failed) {
			t, err := w.dial(ctx, b)
			if err == nil {
				return t, b, nil
			}
			if ctx.Err() != nil {
				if _, seen := last[b.String()]; !seen {
					last[b.String()] = fmt.Errorf("no answer before giving up: %w", err)
				}
				return zero, Broker{}, w.giveUp(ctx, pass, start, last)
			}
			if w.fatal != nil && w.fatal(err) {
				return zero, b, err
			}
			last[b.String()] = err
			if w.onFail != nil {
				w.onFail(b, err)
			}
		}
		if limit != Forever && pass > limit {
			return zero, Broker{}, w.report(pass, start, last, fmt.Sprintf("gave up after %d reconnect attempt(s)", limit))
		}
		if err := w.sleep(ctx, back.Pause()); err != nil {
			return zero, Broker{}, w.giveUp(ctx, pass, start, last)
		}
	}
}

var errWalkTimeout = errors.New("connect timeout")

// giveUp explains a walk ended by its context: our timeout becomes a
// ConnectError, a caller's cancellation stays what it is.
func (w *walker[T]) giveUp(ctx context.Context, pass int, start time.Time, last map[string]error) error {
	if context.Cause(ctx) == errWalkTimeout {
		return w.report(pass, start, last, fmt.Sprintf("timeout %s reached", w.policy.Timeout))
	}
	return ctx.Err()
}

func (w *walker[T]) report(passes int, start time.Time, last map[string]error, why string) *ConnectError {
	e := &ConnectError{Passes: passes, Elapsed: time.Since(start), Why: why}
	for _, b := range w.brokers {
		err, ok := last[b.String()]
		if !ok {
			err = errors.New("not tried before the timeout")
		}
		e.Tried = append(e.Tried, Attempt{Broker: b.String(), Err: err})
	}
	return e
}

// sleepCtx pauses for d unless ctx ends first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
