package scenarios_test

import (
	"errors"
	"testing"
	"time"

	"github.com/amqlab/amqlab/client"
	"github.com/amqlab/amqlab/internal/testlab"
	"github.com/amqlab/amqlab/scenarios"
)

func logChaos(t *testing.T, rep *scenarios.ChaosReport) {
	t.Helper()
	if rep == nil {
		return
	}
	t.Logf("%s; unacknowledged received %d, foreign %d, producer failovers %d, %.1fs",
		rep.Tally, rep.Unacknowledged, rep.Foreign, rep.ProducerFailovers, rep.Seconds)
	for _, r := range rep.Rounds {
		t.Logf("round %d: %s → %s, failover %.3fs, no master %.3fs, stall %.3fs, acknowledged before %d",
			r.Round, r.OldMaster, r.NewMaster, r.Failover, r.NoMaster, r.Stall, r.AcknowledgedBefore)
	}
}

func TestChaosLosesNothing(t *testing.T) {
	for _, tc := range []struct {
		driver string
		mode   string
		rounds int
	}{
		{client.DriverStomp, scenarios.ModeKill, 5},
		{client.DriverStomp, scenarios.ModeStop, 2},
		{client.DriverOpenWire, scenarios.ModeKill, 2},
	} {
		t.Run(tc.driver+"-"+tc.mode, func(t *testing.T) {
			lab := testlab.New(t, testlab.Options{Start: true})
			var progress []scenarios.ChaosProgress
			rep, err := scenarios.Chaos(liveCtx(t), lab, scenarios.ChaosOptions{
				Rounds: tc.rounds, Interval: time.Second, Driver: tc.driver, Mode: tc.mode,
				OnProgress: func(p scenarios.ChaosProgress) { progress = append(progress, p) },
			})
			logChaos(t, rep)
			if err != nil {
				t.Fatalf("chaos: %v", err)
			}
			if !rep.OK || rep.Lost != 0 {
				t.Fatalf("lost %d acknowledged messages: %v", rep.Lost, rep.LostSeqs)
			}
			if len(rep.Rounds) != tc.rounds || rep.Failover.N != tc.rounds {
				t.Errorf("%d rounds, %d failover times; want %d", len(rep.Rounds), rep.Failover.N, tc.rounds)
			}
			if rep.Acknowledged == 0 || rep.Received < rep.Acknowledged || rep.Sent < rep.Acknowledged {
				t.Errorf("implausible counts: %s", rep.Tally)
			}
			for _, r := range rep.Rounds {
				// No acknowledgement can arrive while no broker accepts;
				// the watch on the ports polls every 10 ms.
				if r.OldMaster == r.NewMaster || r.Failover <= 0 || r.Stall < r.NoMaster-0.03 {
					t.Errorf("round %+v: no real takeover, or a stall shorter than the time without master", r)
				}
			}
			if len(progress) < 2 || progress[len(progress)-1].Received != rep.Deliveries {
				t.Errorf("progress reports %d snapshots, last %+v; want the final counts", len(progress), progress[len(progress)-1])
			}
		})
	}
}

// An unsafe run must show loss: non-persistent messages live only in the
// master's memory. This proves the accounting can fail.
func TestChaosNonPersistentShowsLoss(t *testing.T) {
	lab := testlab.New(t, testlab.Options{Start: true})
	rep, err := scenarios.Chaos(liveCtx(t), lab, scenarios.ChaosOptions{
		Rounds: 1, Interval: time.Second, NonPersistent: true,
	})
	logChaos(t, rep)
	if !errors.Is(err, scenarios.ErrLost) {
		t.Fatalf("err = %v, want ErrLost", err)
	}
	if rep.OK || rep.Lost == 0 || len(rep.LostSeqs) == 0 || rep.Persistent {
		t.Fatalf("report shows no loss: %+v", rep.Tally)
	}
}
