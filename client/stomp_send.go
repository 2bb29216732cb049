package client

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/go-stomp/stomp/v3/frame"
)

// inFlight is a message written to the broker and awaiting its receipt.
type inFlight struct {
	index   int
	receipt string
	at      time.Time
}

// sender is the state of one Send: a window of messages awaiting receipts
// and a queue of messages to resend after a lost connection.
type sender struct {
	c       *stompClient
	dest    Destination
	msgs    []Message
	opts    SendOptions
	res     SendResult
	window  []inFlight // in write order
	resend  []int      // indices to write again, oldest first
	next    int        // first index never written
	tries   []int      // attempts per message
	expires []int64    // absolute expiry per message, once written
}

// Send implements Client. Every message asks for a receipt and counts as
// sent only when it arrives; up to Options.Window messages are in flight.
// After a lost connection the messages without receipt are sent again on
// the next broker, so a message may arrive twice but is never lost.
func (c *stompClient) Send(ctx context.Context, dest string, msgs []Message, o SendOptions) (SendResult, error) {
	d, err := ParseDestination(dest)
	if err != nil {
		return SendResult{}, err
	}
	for i, m := range msgs {
		if err := checkHeaders(m.Headers); err != nil {
			return SendResult{}, fmt.Errorf("message %d: %w", i, err)
		}
	}
	if o.TTL < 0 {
		return SendResult{}, fmt.Errorf("TTL %s is negative; use 0 for messages that never expire", o.TTL)
	}
	s := &sender{c: c, dest: d, msgs: msgs, opts: o, tries: make([]int, len(msgs))}
	if o.TTL > 0 {
		s.expires = make([]int64, len(msgs))
	}
	start := time.Now()
	err = c.retry(ctx, &s.res.Failovers, func(sess *session) error {
		s.requeue()
		return s.run(ctx, sess)
	})
	s.res.Elapsed = time.Since(start)
	return s.res, err
}

// requeue moves unconfirmed messages to the front of the resend queue; it
// is a no-op on the first connection.
func (s *sender) requeue() {
	if len(s.window) == 0 {
		return
	}
	pending := make([]int, 0, len(s.window)+len(s.resend))
	for _, f := range s.window {
		pending = append(pending, f.index)
	}
	s.resend = append(pending, s.resend...)
	s.window = s.window[:0]
}

func (s *sender) done() bool {
	return s.next == len(s.msgs) && len(s.resend) == 0 && len(s.window) == 0
}

// run sends on one session until all messages are confirmed or it fails.
func (s *sender) run(ctx context.Context, sess *session) error {
	stall := time.NewTimer(sess.patience)
	defer stall.Stop()
	for !s.done() {
		if err := s.fill(sess); err != nil {
			return err
		}
		stall.Reset(time.Until(s.window[0].at.Add(sess.patience)))
		f, err := sess.receive(ctx, stall.C)
		if err != nil {
			return s.refused(err)
		}
		if f.Command == frame.RECEIPT {
			s.confirm(sess, f.Header.Get(frame.ReceiptId))
		}
	}
	return nil
}

// fill writes messages until the window is full, resends first, and
// flushes them in one go.
func (s *sender) fill(sess *session) error {
	wrote := false
	for len(s.window) < s.c.opts.Window {
		i, ok := s.pop()
		if !ok {
			break
		}
		if s.expires != nil && s.expires[i] == 0 {
			s.expires[i] = time.Now().Add(s.opts.TTL).UnixMilli()
		}
		var exp int64
		if s.expires != nil {
			exp = s.expires[i]
		}
		s.tries[i]++
		if s.tries[i] == 2 {
			s.res.Resent++
		}
		receipt := s.c.newID("m" + strconv.Itoa(i))
		s.window = append(s.window, inFlight{i, receipt, time.Now()})
		if err := sess.write(sendFrame(s.dest, s.msgs[i], s.opts.Persistent, exp, receipt)); err != nil {
			return err
		}
		wrote = true
	}
	if wrote {
		return sess.flush()
	}
	return nil
}

func (s *sender) pop() (int, bool) {
	if len(s.resend) > 0 {
		i := s.resend[0]
		s.resend = s.resend[1:]
		return i, true
	}
	if s.next < len(s.msgs) {
		s.next++
		return s.next - 1, true
	}
	return 0, false
}

// confirm records a receipt. ActiveMQ answers in order, so the match is
// nearly always the head of the window; stale receipts are ignored.
func (s *sender) confirm(sess *session, receipt string) {
	for k, f := range s.window {
		if f.receipt != receipt {
			continue
		}
		s.window = append(s.window[:k], s.window[k+1:]...)
		s.res.Sent++
		s.res.Broker = sess.broker.String()
		if s.opts.OnSent != nil {
			s.opts.OnSent(Sent{Index: f.index, Attempts: s.tries[f.index], Broker: s.res.Broker, At: time.Now()})
		}
		return
	}
}

// refused names the message a broker's ERROR concerns, if it said which.
func (s *sender) refused(err error) error {
	var be *BrokerError
	if !errors.As(err, &be) || be.receipt == "" {
		return err
	}
	for _, w := range s.window {
		if w.receipt == be.receipt {
			return fmt.Errorf("message %d: %w", w.index, err)
		}
	}
	return err
}
