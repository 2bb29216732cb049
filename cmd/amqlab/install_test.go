package main

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/amqlab/amqlab/cluster"
	"github.com/amqlab/amqlab/internal/distfixture"
)

// listenLoopback holds a free loopback port for the test's lifetime.
func listenLoopback(t *testing.T) (net.Listener, int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln, ln.Addr().(*net.TCPAddr).Port
}

// portFlags gives every planned port of two brokers a port the kernel just
// handed out; openwire, when not 0, is the first broker's OpenWire port.
func portFlags(t *testing.T, openwire int) []string {
	t.Helper()
	ports := make([]string, 6)
	held := make([]net.Listener, len(ports)) // held together, so no port repeats
	for i := range ports {
		var port int
		held[i], port = listenLoopback(t)
		ports[i] = strconv.Itoa(port)
	}
	for _, ln := range held {
		ln.Close()
	}
	if openwire != 0 {
		ports[0] = strconv.Itoa(openwire)
	}
	return []string{"--port", ports[0] + "," + ports[1], "--stomp-port", ports[2] + "," + ports[3], "--web-port", ports[4] + "," + ports[5]}
}

func TestDoctorCommandFailsOnBusyPort(t *testing.T) {
	_, busy := listenLoopback(t)
	dir := filepath.Join(t.TempDir(), "lab")
	var out, errOut bytes.Buffer
	args := append([]string{"--dir", dir, "doctor", "--json"}, portFlags(t, busy)...)
	code := run(args, &out, &errOut)
	if code != exitFailure {
		t.Fatalf("exit %d, want %d; stderr %s", code, exitFailure, errOut.String())
	}
	var checks []cluster.Check
	if err := json.Unmarshal(out.Bytes(), &checks); err != nil {
		t.Fatalf("--json output %q: %v", out.String(), err)
	}
	found := false
	for _, c := range checks {
		if strings.HasPrefix(c.Name, "port "+strconv.Itoa(busy)+" ") {
			found = true
			if c.OK || !strings.Contains(c.Detail, "pid "+strconv.Itoa(os.Getpid())) {
				t.Errorf("busy port check: %+v", c)
			}
		}
	}
	if !found {
		t.Errorf("no check for port %d in %+v", busy, checks)
	}
	if got := strings.Count(errOut.String(), "\n"); got != 1 || !strings.Contains(errOut.String(), "checks failed") {
		t.Errorf("stderr should be one line naming the failure: %q", errOut.String())
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("doctor created the lab directory")
	}
}

func TestInstallCommand(t *testing.T) {
	home := distfixture.Home(t)
	dir := filepath.Join(t.TempDir(), "lab")
	flags := portFlags(t, 0)

	var out, errOut bytes.Buffer
	if code := run(append([]string{"--dir", dir, "install", "--dry-run", "--json"}, flags...), &out, &errOut); code != 0 {
		t.Fatalf("--dry-run: exit %d: %s", code, errOut.String())
	}
	var plan cluster.Plan
	if err := json.Unmarshal(out.Bytes(), &plan); err != nil || len(plan.Brokers) != 2 {
		t.Fatalf("--dry-run --json: %v, %q", err, out.String())
	}
	if _, err := os.Stat(dir); err == nil {
		t.Fatal("--dry-run wrote the lab")
	}

	out.Reset()
	errOut.Reset()
	if code := run(append([]string{"--dir", dir, "install", "--dist", home}, flags...), &out, &errOut); code != 0 {
		t.Fatalf("install: exit %d: %s", code, errOut.String())
	}
	for _, b := range plan.Brokers {
		for _, f := range []string{"bin/activemq.jar", "conf/activemq.xml"} {
			if _, err := os.Stat(filepath.Join(dir, b.Name, f)); err != nil {
				t.Errorf("%s: %v", b.Name, err)
			}
		}
		if !strings.Contains(out.String(), b.Name) {
			t.Errorf("the printed plan lacks %s: %q", b.Name, out.String())
		}
	}
	if !strings.Contains(errOut.String(), "✓ Install "+plan.Brokers[0].Name) {
		t.Errorf("no install step on stderr: %q", errOut.String())
	}

	// --wipe alone is a usage error.
	if code := run([]string{"--dir", dir, "install", "--wipe"}, &out, &errOut); code != exitUsage {
		t.Errorf("--wipe without --force: exit %d, want %d", code, exitUsage)
	}
}
