package client

import "time"

// idleTimer fires after a quiet period; with no period it never fires.
type idleTimer struct {
	d time.Duration
	t *time.Timer
}

func newIdleTimer(d time.Duration) *idleTimer {
	it := &idleTimer{d: d}
	if d > 0 {
		it.t = time.NewTimer(d)
	}
	return it
}

// c is the channel to wait on; nil (never ready) without a period.
func (it *idleTimer) c() <-chan time.Time {
	if it.t == nil {
		return nil
	}
	return it.t.C
}

func (it *idleTimer) reset() {
	if it.t != nil {
		it.t.Reset(it.d)
	}
}

func (it *idleTimer) stop() {
	if it.t != nil {
		it.t.Stop()
	}
}
