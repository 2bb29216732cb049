package scenarios

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestChaosBodyRoundTrip(t *testing.T) {
	for _, seq := range []int{0, 1, 99, 123456} {
		got, ok := parseChaosBody("r1", chaosBody("r1", seq))
		if !ok || got != seq {
			t.Errorf("seq %d: parsed %d, %v", seq, got, ok)
		}
	}
	for _, body := range []string{"", "hello", "amqlab-chaos/r2/5", "amqlab-chaos/r1/", "amqlab-chaos/r1/x", "amqlab-chaos/r1/-3"} {
		if seq, ok := parseChaosBody("r1", []byte(body)); ok {
			t.Errorf("%q parsed as %d", body, seq)
		}
	}
}

func TestLedgerTally(t *testing.T) {
	t0 := time.Now()
	tests := []struct {
		name      string
		sent      int
		acked     []int
		delivered []int // sequence numbers in delivery order; -1 is a foreign body
		want      Tally
	}{
		{
			name: "all back in order", sent: 3, acked: []int{0, 1, 2}, delivered: []int{0, 1, 2},
			want: Tally{Sent: 3, Acknowledged: 3, Received: 3, Deliveries: 3},
		},
		{
			name: "acknowledged one missing is lost", sent: 3, acked: []int{0, 1, 2}, delivered: []int{0, 2},
			want: Tally{Sent: 3, Acknowledged: 3, Received: 2, Deliveries: 2, Lost: 1, LostSeqs: []int{1}},
		},
		{
			name: "unacknowledged missing is no loss", sent: 3, acked: []int{0, 1}, delivered: []int{0, 1},
			want: Tally{Sent: 3, Acknowledged: 2, Received: 2, Deliveries: 2},
		},
		{
			name: "unacknowledged but received is fine", sent: 3, acked: []int{0}, delivered: []int{0, 1, 2},
			want: Tally{Sent: 3, Acknowledged: 1, Received: 3, Deliveries: 3, Unacknowledged: 2},
		},
		{
			name: "duplicates and disorder counted apart", sent: 4, acked: []int{0, 1, 2, 3}, delivered: []int{0, 2, 1, 2, 3, 0},
			want: Tally{Sent: 4, Acknowledged: 4, Received: 4, Deliveries: 6, Duplicates: 2, OutOfOrder: 1},
		},
		{
			name: "foreign bodies are neither", sent: 1, acked: []int{0, 0}, delivered: []int{-1, 0},
			want: Tally{Sent: 1, Acknowledged: 1, Received: 1, Deliveries: 2, Foreign: 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := newLedger("run")
			l.handed(tc.sent)
			for i, seq := range tc.acked {
				l.ack(seq, t0.Add(time.Duration(i)*time.Millisecond))
			}
			for _, seq := range tc.delivered {
				body := []byte("something else")
				if seq >= 0 {
					body = chaosBody("run", seq)
				}
				l.deliver(body)
			}
			got := l.result()
			if !slices.Equal(got.LostSeqs, tc.want.LostSeqs) {
				t.Errorf("lost seqs %v, want %v", got.LostSeqs, tc.want.LostSeqs)
			}
			got.LostSeqs, tc.want.LostSeqs = nil, nil
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("tally\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestLedgerLostSeqsBounded(t *testing.T) {
	l := newLedger("run")
	for seq := range 3 * maxListed {
		l.ack(seq, time.Now())
	}
	got := l.result()
	if got.Lost != 3*maxListed || len(got.LostSeqs) != maxListed || got.LostSeqs[0] != 0 {
		t.Errorf("lost %d, listed %v", got.Lost, got.LostSeqs)
	}
}

func TestLedgerStall(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	l := newLedger("run")
	// Steady acknowledgements, a signal at 100 ms that lands at 105 ms,
	// the next acknowledgement at 900 ms.
	for seq, ms := range []int{0, 50, 95, 104, 900, 910, 1500} {
		l.ack(seq, at(ms))
	}
	tests := []struct {
		from, to int
		want     int
	}{
		{100, 1400, 796},  // 104 → 900, although an ack came after the signal
		{920, 1400, 490},  // nothing since 910: the pause runs to the end
		{0, 40, 40},       // no ack inside: from the signal to the end
		{1000, 2000, 590}, // from the last ack before the window (910) to the next (1500)
	}
	for _, tc := range tests {
		if got := l.stall(at(tc.from), at(tc.to)); got != time.Duration(tc.want)*time.Millisecond {
			t.Errorf("stall(%d, %d) = %v, want %d ms", tc.from, tc.to, got, tc.want)
		}
	}
}

func TestSpreadOf(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	tests := []struct {
		in   []time.Duration
		want Spread
	}{
		{nil, Spread{}},
		{ms(500), Spread{N: 1, Min: 0.5, Median: 0.5, Max: 0.5}},
		{ms(300, 100, 200), Spread{N: 3, Min: 0.1, Median: 0.2, Max: 0.3}},
		{ms(400, 100, 300, 200), Spread{N: 4, Min: 0.1, Median: 0.25, Max: 0.4}},
	}
	for _, tc := range tests {
		if got := SpreadOf(tc.in); got != tc.want {
			t.Errorf("SpreadOf(%v) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}
