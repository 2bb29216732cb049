package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/amqlab/amqlab/internal/testlab"
)

// walkthroughArgs give a walkthrough free loopback ports and a directory of
// its own, installing from the machine's ActiveMQ.
func walkthroughArgs(t *testing.T, dir string) []string {
	home := testlab.RequireActiveMQ(t)
	p := testlab.FreePorts(t, 6)
	pair := func(a, b int) string { return strconv.Itoa(a) + "," + strconv.Itoa(b) }
	return []string{"--dir", dir, "--no-color", "walkthrough", "--dist", home,
		"--port", pair(p[0], p[1]), "--stomp-port", pair(p[2], p[3]), "--web-port", pair(p[4], p[5])}
}

func TestWalkthroughCommandJSON(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "wt")
	code, out, errOut := runCLI(append(walkthroughArgs(t, dir), "--json")...)
	var rep struct {
		OK    bool `json:"ok"`
		Steps []struct {
			Name     string          `json:"name"`
			OK       bool            `json:"ok"`
			Evidence json.RawMessage `json:"evidence"`
			Seconds  float64         `json:"seconds"`
		} `json:"steps"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 {
		t.Fatalf("walkthrough --json: exit %d, %v\n%s%s", code, err, out, errOut)
	}
	if !rep.OK || len(rep.Steps) != 7 {
		t.Fatalf("report: %+v", rep)
	}
	for _, s := range rep.Steps {
		if !s.OK || s.Seconds <= 0 || len(s.Evidence) < 3 || s.Name == "" {
			t.Errorf("step %+v", s)
		}
	}
	if strings.Count(errOut, "✓ ") != 7 {
		t.Errorf("stderr should carry one verdict per step:\n%s", errOut)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("lab %s not deleted (%v)", dir, err)
	}
}

// A walkthrough starts from nothing: a directory with anything in it is
// refused before a broker starts, and nothing in it is touched.
func TestWalkthroughCommandRefusesUsedDir(t *testing.T) {
	dir := t.TempDir()
	keep := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(keep, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(append(walkthroughArgs(t, dir), "--json")...)
	if code != exitFailure || !strings.Contains(errOut, "is not empty") || out != "" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if data, err := os.ReadFile(keep); err != nil || string(data) != "mine" {
		t.Errorf("the user's file was touched: %q, %v", data, err)
	}
}

func TestWalkthroughCommandBadDriver(t *testing.T) {
	code, _, errOut := runCLI("--dir", t.TempDir(), "walkthrough", "--driver", "amqp")
	if code != exitUsage || !strings.Contains(errOut, "--driver") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
