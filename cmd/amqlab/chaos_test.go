package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/amqlab/amqlab/internal/testlab"
	"github.com/amqlab/amqlab/scenarios"
)

// The command must fail when the accounting finds loss: a non-persistent
// run loses what the killed master held in memory.
func TestChaosCommandExitsNonZeroOnLoss(t *testing.T) {
	lab := testlab.New(t, testlab.Options{Start: true})
	code, out, errOut := runCLI("--dir", lab.Dir(), "--no-color", "chaos", "--rounds", "1", "--interval", "1s", "--non-persistent", "--json")
	var rep scenarios.ChaosReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("chaos: %v\n%s%s", err, out, errOut)
	}
	if code != exitFailure || !strings.Contains(errOut, "acknowledged messages were lost") {
		t.Errorf("exit %d, stderr %q; want 1 and the loss named", code, errOut)
	}
	if rep.OK || rep.Lost == 0 || !rep.Drained || rep.Persistent {
		t.Errorf("report shows no loss: %+v", rep)
	}
}

func TestChaosCommandReport(t *testing.T) {
	lab := testlab.New(t, testlab.Options{Start: true})
	code, out, errOut := runCLI("--dir", lab.Dir(), "--no-color", "chaos", "--rounds", "2", "--interval", "1s", "--mode", "stop")
	if code != 0 {
		t.Fatalf("chaos: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"lost                     0", "longest producer stall", "FAILOVER  OLD MASTER", "✓ no acknowledged message lost in 2 failovers"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestChaosCommandUsage(t *testing.T) {
	for _, args := range [][]string{
		{"chaos", "--mode", "pause"},
		{"chaos", "--rounds", "0"},
		{"chaos", "--interval", "0s"},
		{"chaos", "--driver", "mqtt"},
	} {
		if code, _, errOut := runCLI(append([]string{"--dir", t.TempDir()}, args...)...); code != exitUsage {
			t.Errorf("%v: exit %d, stderr %q; want a usage error", args, code, errOut)
		}
	}
}
