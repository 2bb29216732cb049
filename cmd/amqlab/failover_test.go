package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/amqlab/amqlab/internal/testlab"
	"github.com/amqlab/amqlab/scenarios"
)

func TestFailoverCommandThreeRoundsKeepsMarker(t *testing.T) {
	lab := testlab.New(t, testlab.Options{Start: true})
	code, out, errOut := runCLI("--dir", lab.Dir(), "--no-color", "failover", "--rounds", "3", "--json")
	var rep scenarios.DrillReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 {
		t.Fatalf("failover: exit %d, %v\n%s%s", code, err, out, errOut)
	}
	if !rep.OK || rep.MarkersLost != 0 || len(rep.Rounds) != 3 || rep.MasterAccepts.N != 3 {
		t.Fatalf("report = %+v", rep)
	}
	for _, r := range rep.Rounds {
		if !r.MarkerKept || r.MarkerID == "" || r.OldMaster == r.NewMaster {
			t.Errorf("round %+v", r)
		}
	}
	if strings.Count(errOut, "✓ round") != 3 {
		t.Errorf("stderr should show each round as it ends:\n%s", errOut)
	}
	// The rounds alternate the master, and the lab ends with every broker
	// running again, as it began.
	if rep.Rounds[0].NewMaster != rep.Rounds[1].OldMaster {
		t.Errorf("round 2 should fail over from round 1's new master: %+v", rep.Rounds)
	}
	code, out, _ = runCLI("--dir", lab.Dir(), "status", "--json")
	if code != 0 || strings.Count(out, `"role": "master"`) != 1 || strings.Count(out, `"role": "slave"`) != 1 {
		t.Errorf("after the drill: exit %d\n%s", code, out)
	}
}

func TestFailoverCommandTable(t *testing.T) {
	lab := testlab.New(t, testlab.Options{Start: true})
	code, out, errOut := runCLI("--dir", lab.Dir(), "--no-color", "failover", "--stop")
	if code != 0 {
		t.Fatalf("failover --stop: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"ROUND  MODE", "stop", "✓ kept ID:", "master accepts", "markers lost      0 of 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestFailoverCommandUsage(t *testing.T) {
	for _, args := range [][]string{
		{"failover", "--kill", "--stop"},
		{"failover", "--rounds", "0"},
		{"failover", "--driver", "amqp"},
	} {
		if code, _, errOut := runCLI(append([]string{"--dir", t.TempDir()}, args...)...); code != exitUsage || !strings.Contains(errOut, "amqlab: ") {
			t.Errorf("%v: exit %d, stderr %q; want a usage error", args, code, errOut)
		}
	}
}
