package scenarios

import (
	"context"
	"sync"
	"time"

	"github.com/amqlab/amqlab/client"
)

// producer sends numbered messages without pause until stopped, entering
// each acknowledgement in the ledger the moment it arrives.
type producer struct {
	c          *labClient
	queue      string
	led        *ledger
	batch      int
	persistent bool

	quit   chan struct{} // closed to ask for a stop after the current send
	done   chan struct{} // closed when the producer has ended
	once   sync.Once
	cancel context.CancelFunc

	failovers int
	err       error
}

func (c *chaos) startProducer(ctx context.Context, lc *labClient) *producer {
	ctx, cancel := context.WithCancel(ctx)
	p := &producer{
		c: lc, queue: c.o.Queue, led: c.led, batch: c.o.Batch, persistent: !c.o.NonPersistent,
		quit: make(chan struct{}), done: make(chan struct{}), cancel: cancel,
	}
	go p.run(ctx)
	return p
}

func (p *producer) run(ctx context.Context) {
	defer close(p.done)
	for seq := 0; ; seq += p.batch {
		select {
		case <-p.quit:
			return
		default:
		}
		msgs := make([]client.Message, p.batch)
		for i := range msgs {
			msgs[i].Body = chaosBody(p.led.run, seq+i)
		}
		p.led.handed(len(msgs))
		base := seq
		res, err := p.c.Send(ctx, p.queue, msgs, client.SendOptions{
			Persistent: p.persistent,
			OnSent:     func(s client.Sent) { p.led.ack(base+s.Index, s.At) },
		})
		p.failovers += res.Failovers
		if p.c.Driver == client.DriverOpenWire {
			// The producer tool reports only how many it sent, in order.
			now := time.Now()
			for i := range res.Sent {
				p.led.ack(base+i, now)
			}
		}
		if err != nil {
			p.err = err
			return
		}
	}
}

// stop asks the producer to finish its current send and waits for it at
// most grace before cancelling the send. It returns the reconnects the
// producer saw and why it ended early, if it did.
func (p *producer) stop(grace time.Duration) (int, error) {
	p.once.Do(func() { close(p.quit) })
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-p.done:
	case <-t.C:
		p.cancel()
		<-p.done
	}
	p.cancel()
	return p.failovers, p.err
}
