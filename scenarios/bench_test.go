package scenarios_test

import (
	"testing"
	"time"

	"github.com/amqlab/amqlab/client"
	"github.com/amqlab/amqlab/internal/testlab"
	"github.com/amqlab/amqlab/scenarios"
)

// reportSpread publishes a spread under the metric names docs/benchmarks.md
// reads; prefix tells apart several spreads of one benchmark.
func reportSpread(b *testing.B, prefix string, s scenarios.Spread) {
	if s.N == 0 {
		return
	}
	b.ReportMetric(s.Median, prefix+"median-s")
	b.ReportMetric(s.Min, prefix+"min-s")
	b.ReportMetric(s.Max, prefix+"max-s")
}

// BenchmarkWalkthrough times the whole walkthrough from an empty directory
// to a deleted lab: install twice, seven steps, teardown. Goal: ≤ 20 s with
// the native client.
func BenchmarkWalkthrough(b *testing.B) {
	for _, driver := range []string{client.DriverStomp, client.DriverOpenWire} {
		b.Run(driver, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				o := walkthroughOptions(b, driver, nil)
				b.StartTimer()
				rep, err := scenarios.Walkthrough(liveCtx(b), o)
				if err != nil {
					b.Fatalf("walkthrough: %v", err)
				}
				b.StopTimer()
				for _, s := range rep.Steps {
					b.Logf("%-20s %.2fs", s.Name, s.Seconds)
				}
				b.StartTimer()
			}
		})
	}
}

// drillRounds is how many failovers one drill iteration times.
const drillRounds = 5

// BenchmarkFailoverDrill times failovers as a client sees them: from the
// signal to the new master accepting (median-s, min-s, max-s) and to the
// native client connected again (client-…), with a marker checked each
// round.
func BenchmarkFailoverDrill(b *testing.B) {
	for _, mode := range []string{scenarios.ModeKill, scenarios.ModeStop} {
		b.Run(mode, func(b *testing.B) {
			lab := testlab.New(b, testlab.Options{Start: true})
			var rounds []scenarios.DrillRound
			b.ResetTimer()
			for range b.N {
				rep, err := scenarios.Drill(liveCtx(b), lab, scenarios.DrillOptions{Rounds: drillRounds, Mode: mode})
				if err != nil {
					b.Fatalf("drill: %v", err)
				}
				rounds = append(rounds, rep.Rounds...)
			}
			b.StopTimer()
			accepts, clients := drillSpreads(rounds)
			reportSpread(b, "", accepts)
			reportSpread(b, "client-", clients)
		})
	}
}

func drillSpreads(rounds []scenarios.DrillRound) (accepts, clients scenarios.Spread) {
	var a, c []time.Duration
	for _, r := range rounds {
		a = append(a, time.Duration(r.MasterAccepts*float64(time.Second)))
		c = append(c, time.Duration(r.ClientReconnected*float64(time.Second)))
	}
	return scenarios.SpreadOf(a), scenarios.SpreadOf(c)
}

// BenchmarkChaos runs five SIGKILLs a second apart under a stream of
// persistent messages, with each driver on the same lab, and reports the
// failover times (median-s …), the longest producer stall per failover
// (stall-…), the acknowledged messages and the loss, which must be 0.
func BenchmarkChaos(b *testing.B) {
	lab := testlab.New(b, testlab.Options{Start: true})
	for _, driver := range []string{client.DriverStomp, client.DriverOpenWire} {
		b.Run(driver, func(b *testing.B) {
			var failovers, stalls []time.Duration
			acked, lost := 0, 0
			for range b.N {
				rep, err := scenarios.Chaos(liveCtx(b), lab, scenarios.ChaosOptions{Rounds: 5, Interval: time.Second, Driver: driver})
				if err != nil {
					b.Fatalf("chaos: %v", err)
				}
				for _, r := range rep.Rounds {
					failovers = append(failovers, time.Duration(r.Failover*float64(time.Second)))
					stalls = append(stalls, time.Duration(r.Stall*float64(time.Second)))
				}
				acked += rep.Acknowledged
				lost += rep.Lost
			}
			b.StopTimer()
			reportSpread(b, "", scenarios.SpreadOf(failovers))
			reportSpread(b, "stall-", scenarios.SpreadOf(stalls))
			b.ReportMetric(float64(acked)/float64(b.N), "acked/op")
			b.ReportMetric(float64(lost), "lost")
		})
	}
}
