package scenarios

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A chaos run numbers its messages and keeps a ledger of each number: when
// the broker acknowledged it and how often the draining consumer received
// it. Only the ledger decides what was lost, so the verdict never depends
// on what a client or broker claims about itself.

// bodyPrefix starts every chaos message body: amqlab-chaos/<run>/<seq>.
const bodyPrefix = "amqlab-chaos/"

// chaosBody is the body of message seq of run.
func chaosBody(run string, seq int) []byte {
	return []byte(bodyPrefix + run + "/" + strconv.Itoa(seq))
}

// parseChaosBody returns the sequence number of a body of run, or false for
// any other body.
func parseChaosBody(run string, body []byte) (int, bool) {
	rest, ok := strings.CutPrefix(string(body), bodyPrefix+run+"/")
	if !ok {
		return 0, false
	}
	seq, err := strconv.Atoi(rest)
	if err != nil || seq < 0 {
		return 0, false
	}
	return seq, true
}

// maxListed bounds the sequence numbers a tally lists by name.
const maxListed = 20

// Tally is the outcome of a chaos run's accounting.
type Tally struct {
	Sent         int `json:"sent"`         // handed to the client
	Acknowledged int `json:"acknowledged"` // the broker's receipt arrived
	Received     int `json:"received"`     // distinct messages the consumer got
	Deliveries   int `json:"deliveries"`   // every delivery, duplicates included
	// Lost were acknowledged and never received: the one number that must
	// be zero.
	Lost       int   `json:"lost"`
	LostSeqs   []int `json:"lost_seqs,omitempty"` // the first few
	Duplicates int   `json:"duplicates"`          // deliveries of a number received before
	// OutOfOrder counts first deliveries of a number lower than one
	// received before it.
	OutOfOrder int `json:"out_of_order"`
	// Unacknowledged were received although no receipt arrived (the
	// connection died first): delivered at least once, which is allowed.
	Unacknowledged int `json:"unacknowledged_received"`
	Foreign        int `json:"foreign"` // messages on the queue that are not this run's
}

// ledger is safe for one producer and one consumer at once.
type ledger struct {
	run string

	mu       sync.Mutex
	sent     int
	acked    map[int]bool
	ackTimes []time.Time // in arrival order
	received map[int]int
	highest  int // highest number received so far; -1 before the first
	tally    Tally
}

func newLedger(run string) *ledger {
	return &ledger{run: run, acked: map[int]bool{}, received: map[int]int{}, highest: -1}
}

// handed counts n messages given to the client.
func (l *ledger) handed(n int) {
	l.mu.Lock()
	l.sent += n
	l.mu.Unlock()
}

// ack records the broker's receipt for seq.
func (l *ledger) ack(seq int, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.acked[seq] {
		return
	}
	l.acked[seq] = true
	l.ackTimes = append(l.ackTimes, at)
}

// deliver records one delivery of a body to the consumer.
func (l *ledger) deliver(body []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tally.Deliveries++
	seq, ok := parseChaosBody(l.run, body)
	if !ok {
		l.tally.Foreign++
		return
	}
	l.received[seq]++
	if l.received[seq] > 1 {
		l.tally.Duplicates++
		return
	}
	if seq < l.highest {
		l.tally.OutOfOrder++
	}
	l.highest = max(l.highest, seq)
}

// counts returns how many messages were handed to the client and how many
// of them were acknowledged so far.
func (l *ledger) counts() (sent, acked int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sent, len(l.acked)
}

// acknowledged is how many distinct numbers the broker confirmed so far.
func (l *ledger) acknowledged() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.acked)
}

// result settles the accounts.
func (l *ledger) result() Tally {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.tally
	t.Sent = l.sent
	t.Acknowledged = len(l.acked)
	t.Received = len(l.received)
	t.LostSeqs = nil
	var lost []int
	for seq := range l.acked {
		if l.received[seq] == 0 {
			lost = append(lost, seq)
		}
	}
	slices.Sort(lost)
	t.Lost = len(lost)
	t.LostSeqs = lost[:min(len(lost), maxListed)]
	for seq := range l.received {
		if !l.acked[seq] {
			t.Unacknowledged++
		}
	}
	return t
}

// stall is the longest pause between acknowledgements from just before
// from until to: the gaps between consecutive acknowledgements in that
// window, starting at the last one before from, and the gap from the last
// one to to. A signal takes a moment to land, so the pause a failover
// causes may begin a little after from.
func (l *ledger) stall(from, to time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	i, _ := slices.BinarySearchFunc(l.ackTimes, from, func(t, target time.Time) int { return t.Compare(target) })
	prev := from
	if i > 0 {
		prev = l.ackTimes[i-1]
	}
	var longest time.Duration
	for _, t := range l.ackTimes[i:] {
		if t.After(to) {
			break
		}
		longest = max(longest, t.Sub(prev))
		prev = t
	}
	return max(longest, to.Sub(prev))
}

// String is a one-line summary for logs and errors.
func (t Tally) String() string {
	return fmt.Sprintf("sent %d, acknowledged %d, received %d, lost %d, duplicates %d, out of order %d",
		t.Sent, t.Acknowledged, t.Received, t.Lost, t.Duplicates, t.OutOfOrder)
}
