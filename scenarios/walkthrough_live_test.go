package scenarios_test

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/amqlab/amqlab/client"
	"github.com/amqlab/amqlab/cluster"
	"github.com/amqlab/amqlab/internal/testlab"
	"github.com/amqlab/amqlab/scenarios"
)

// walkthroughOptions gives a walkthrough of its own ports and directory,
// installing from the machine's ActiveMQ.
func walkthroughOptions(t testing.TB, driver string, rep scenarios.StepReporter) scenarios.WalkthroughOptions {
	home := testlab.RequireActiveMQ(t)
	ports := testlab.FreePorts(t, 6)
	return scenarios.WalkthroughOptions{
		Dir: filepath.Join(t.TempDir(), "walkthrough"),
		Plan: cluster.PlanOptions{
			OpenWirePorts: ports[:2], StompPorts: ports[2:4], WebPorts: ports[4:],
		},
		Install:  cluster.InstallOptions{Dist: home},
		Driver:   driver,
		Reporter: rep,
	}
}

// recorder keeps what a reporter is told, to check the scenario reports
// every step it runs in order.
type recorder struct {
	started, ended []string
	evidence       map[string][]scenarios.Evidence
}

func (r *recorder) StepStarted(s scenarios.Step) { r.started = append(r.started, s.Name) }
func (r *recorder) Evidence(step string, e scenarios.Evidence) {
	if r.evidence == nil {
		r.evidence = map[string][]scenarios.Evidence{}
	}
	r.evidence[step] = append(r.evidence[step], e)
}
func (r *recorder) StepEnded(s scenarios.Step) { r.ended = append(r.ended, s.Name) }

var wantSteps = []string{"install", "start-alone", "share-store", "start-both", "send-browse", "stop-master", "old-master-returns"}

func TestWalkthrough(t *testing.T) {
	for _, driver := range []string{client.DriverStomp, client.DriverOpenWire} {
		t.Run(driver, func(t *testing.T) {
			rec := &recorder{}
			o := walkthroughOptions(t, driver, rec)
			rep, err := scenarios.Walkthrough(liveCtx(t), o)
			if rep != nil {
				for _, s := range rep.Steps {
					t.Logf("%v %s (%.2fs) %s", s.OK, s.Name, s.Seconds, s.Error)
					for _, e := range s.Evidence {
						t.Logf("    %s", e)
					}
				}
			}
			if err != nil {
				t.Fatalf("walkthrough: %v", err)
			}
			if !rep.OK || strings.Join(rec.ended, ",") != strings.Join(wantSteps, ",") || len(rep.Steps) != len(wantSteps) {
				t.Fatalf("ok %v, steps reported %v, want %v", rep.OK, rec.ended, wantSteps)
			}
			for i, s := range rep.Steps {
				if s.Name != wantSteps[i] || !s.OK || len(s.Evidence) == 0 || len(s.Commands) == 0 || s.Why == "" {
					t.Errorf("step %d = %+v", i, s)
				}
			}
			assertEvidence(t, rep, "start-both", scenarios.EvidenceLog, "slave mode")
			assertEvidence(t, rep, "start-both", scenarios.EvidencePort, "LISTEN")
			assertEvidence(t, rep, "stop-master", scenarios.EvidenceLog, "Could not start network bridge")
			assertEvidence(t, rep, "stop-master", scenarios.EvidenceMessage, "same message id")
			assertEvidence(t, rep, "old-master-returns", scenarios.EvidenceLog, "slave mode")
			if _, err := os.Stat(o.Dir); !os.IsNotExist(err) {
				t.Errorf("the lab directory %s is still there after the walkthrough (err %v)", o.Dir, err)
			}
			if pids := testlab.LabProcesses(o.Dir); len(pids) > 0 {
				t.Errorf("JVMs %v of the walkthrough survived", pids)
			}
		})
	}
}

func assertEvidence(t *testing.T, rep *scenarios.WalkthroughReport, step, kind, fragment string) {
	t.Helper()
	for _, s := range rep.Steps {
		if s.Name != step {
			continue
		}
		for _, e := range s.Evidence {
			if e.Kind == kind && strings.Contains(e.Text, fragment) {
				return
			}
		}
	}
	t.Errorf("step %s has no %s evidence containing %q", step, kind, fragment)
}

// A failing step ends the walkthrough with ✗ and an explanation, and the
// lab is torn down all the same.
func TestWalkthroughFailedStepTearsDown(t *testing.T) {
	rec := &recorder{}
	o := walkthroughOptions(t, client.DriverStomp, rec)
	busy, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(o.Plan.StompPorts[1])))
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	rep, err := scenarios.Walkthrough(liveCtx(t), o)
	if err == nil || rep == nil || rep.OK {
		t.Fatalf("walkthrough with a busy port: err %v, report %+v", err, rep)
	}
	last := rep.Steps[len(rep.Steps)-1]
	if last.Name != "start-alone" || last.OK || !strings.Contains(last.Error, strconv.Itoa(o.Plan.StompPorts[1])) {
		t.Errorf("last step = %+v; want start-alone failing on the busy port", last)
	}
	if !strings.Contains(err.Error(), "Start each broker on its own") {
		t.Errorf("error %q does not name the step", err)
	}
	if strings.Join(rec.ended, ",") != "install,start-alone" {
		t.Errorf("steps reported: %v", rec.ended)
	}
	if _, err := os.Stat(o.Dir); !os.IsNotExist(err) {
		t.Errorf("the lab directory %s is still there (err %v)", o.Dir, err)
	}
	if pids := testlab.LabProcesses(o.Dir); len(pids) > 0 {
		t.Errorf("JVMs %v of the walkthrough survived", pids)
	}
}

func TestWalkthroughRefusesUsedDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "keep"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := scenarios.Walkthrough(liveCtx(t), scenarios.WalkthroughOptions{Dir: dir})
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "keep")); err != nil {
		t.Errorf("the directory's content was touched: %v", err)
	}
}
