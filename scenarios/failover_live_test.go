package scenarios_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/amqlab/amqlab/client"
	"github.com/amqlab/amqlab/internal/testlab"
	"github.com/amqlab/amqlab/scenarios"
)

// liveTimeout bounds one live test on a busy two-core machine.
const liveTimeout = 5 * time.Minute

func liveCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), liveTimeout)
	t.Cleanup(cancel)
	return ctx
}

func TestDrillKeepsMarker(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mode   string
		driver string
		rounds int
	}{
		{"kill-stomp", scenarios.ModeKill, client.DriverStomp, 2},
		{"stop-stomp", scenarios.ModeStop, client.DriverStomp, 1},
		{"kill-openwire", scenarios.ModeKill, client.DriverOpenWire, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lab := testlab.New(t, testlab.Options{Start: true})
			var seen []scenarios.DrillRound
			rep, err := scenarios.Drill(liveCtx(t), lab, scenarios.DrillOptions{
				Rounds: tc.rounds, Mode: tc.mode, Driver: tc.driver,
				OnRound: func(r scenarios.DrillRound) { seen = append(seen, r) },
			})
			if err != nil {
				t.Fatalf("drill: %v\nreport: %+v", err, rep)
			}
			if len(rep.Rounds) != tc.rounds || len(seen) != tc.rounds {
				t.Fatalf("got %d rounds (%d reported), want %d", len(rep.Rounds), len(seen), tc.rounds)
			}
			if rep.MarkersLost != 0 || !rep.OK {
				t.Errorf("markers lost: %d, ok %v", rep.MarkersLost, rep.OK)
			}
			for _, r := range rep.Rounds {
				t.Logf("round %d: %s → %s, accepts %.3fs, client %.3fs, %s → %s, marker %s",
					r.Round, r.OldMaster, r.NewMaster, r.MasterAccepts, r.ClientReconnected, r.ClientBefore, r.ClientAfter, r.MarkerID)
				if r.OldMaster == r.NewMaster || r.NewMaster == "" {
					t.Errorf("round %d: master %s → %q is no takeover", r.Round, r.OldMaster, r.NewMaster)
				}
				if r.MarkerID == "" || r.MarkerID != r.MarkerIDAfter || !r.MarkerKept {
					t.Errorf("round %d: marker %q before, %q after", r.Round, r.MarkerID, r.MarkerIDAfter)
				}
				if r.MasterAccepts <= 0 || r.ClientReconnected < r.MasterAccepts {
					t.Errorf("round %d: accepts after %.3fs, client after %.3fs: the client cannot reconnect before a master accepts", r.Round, r.MasterAccepts, r.ClientReconnected)
				}
				if r.ClientBefore == r.ClientAfter {
					t.Errorf("round %d: client stayed on %s", r.Round, r.ClientBefore)
				}
			}
			// The lab ends as it began: every broker runs again.
			st, err := lab.WaitSettled(liveCtx(t))
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range st {
				if !s.Role.Alive() {
					t.Errorf("%s is %s after the drill", s.Name, s.Role)
				}
			}
		})
	}
}

// Without a slave there is nothing to fail over to: the drill refuses
// before it breaks anything.
func TestDrillNeedsASlave(t *testing.T) {
	lab := testlab.New(t, testlab.Options{Start: true})
	ctx := liveCtx(t)
	master, err := lab.WaitMaster(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range lab.Plan().Brokers {
		if b.Name != master {
			if err := lab.Stop(ctx, 0, b.Name); err != nil {
				t.Fatal(err)
			}
		}
	}
	_, err = scenarios.Drill(ctx, lab, scenarios.DrillOptions{})
	if err == nil || !strings.Contains(err.Error(), "needs a slave") {
		t.Fatalf("err = %v, want a refusal naming the missing slave", err)
	}
	if now, err := lab.WaitMaster(ctx); err != nil || now != master {
		t.Errorf("master after the refused drill: %q, %v; want %s untouched", now, err, master)
	}
}
