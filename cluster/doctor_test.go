package cluster

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// freePort finds a port nobody listens on by letting the kernel choose.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// planWithPorts plans a lab whose every port is given, so a test controls
// which are busy.
func planWithPorts(t *testing.T, openwire []int) *Plan {
	t.Helper()
	p, err := NewPlan(t.TempDir(), PlanOptions{
		OpenWirePorts: openwire,
		StompPorts:    []int{freePort(t), freePort(t)},
		WebPorts:      []int{freePort(t), freePort(t)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func findCheck(t *testing.T, checks []Check, prefix string) Check {
	t.Helper()
	for _, c := range checks {
		if strings.HasPrefix(c.Name, prefix) {
			return c
		}
	}
	t.Fatalf("no check %q in %+v", prefix, checks)
	return Check{}
}

// TestDoctorNamesTheProcessOnABusyPort holds a planned port and expects
// the doctor to fail that check and name this test process.
func TestDoctorNamesTheProcessOnABusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	busy := ln.Addr().(*net.TCPAddr).Port
	free := freePort(t)
	p := planWithPorts(t, []int{busy, free})

	checks := Diagnose(context.Background(), p, nil)
	c := findCheck(t, checks, "port "+strconv.Itoa(busy))
	if c.OK {
		t.Fatalf("busy port reported free: %+v", c)
	}
	if !strings.Contains(c.Detail, "pid "+strconv.Itoa(os.Getpid())) || !strings.Contains(c.Detail, filepath.Base(os.Args[0])) {
		t.Errorf("detail %q does not name this process (pid %d, %s)", c.Detail, os.Getpid(), filepath.Base(os.Args[0]))
	}
	if !strings.Contains(c.Fix, "--port") {
		t.Errorf("fix %q does not say how to choose other ports", c.Fix)
	}
	if c := findCheck(t, checks, "port "+strconv.Itoa(free)); !c.OK {
		t.Errorf("free port reported busy: %+v", c)
	}
	if AllOK(checks) {
		t.Error("AllOK with a busy port")
	}
}

// TestDoctorAcceptsPortOfOwnBroker: a port held by a process that carries
// a lab broker's command-line marker belongs to the running lab. The
// process is this test binary started again as a listener.
func TestDoctorAcceptsPortOfOwnBroker(t *testing.T) {
	p := planWithPorts(t, []int{freePort(t), freePort(t)})
	b := p.Brokers[0]
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperListener$", "--", brokerMarker(b))
	cmd.Env = append(os.Environ(), "AMQLAB_HELPER_LISTEN=127.0.0.1:"+strconv.Itoa(b.OpenWirePort))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close() // the helper exits when its stdin closes
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "listening\n" {
		t.Fatalf("helper said %q, %v", line, err)
	}

	c := checkPort(p, PlannedPort{b.Name, "openwire", b.OpenWirePort})
	want := fmt.Sprintf("this lab's broker %s (pid %d)", b.Name, cmd.Process.Pid)
	if !c.OK || !strings.Contains(c.Detail, want) {
		t.Errorf("check %+v, want OK naming %q", c, want)
	}
	// The same port planned for another broker is a conflict.
	other := p.Brokers[1].Name
	if c := checkPort(p, PlannedPort{other, "openwire", b.OpenWirePort}); c.OK {
		t.Errorf("port of %s accepted for %s: %+v", b.Name, other, c)
	}
}

// TestHelperListener is not a test: TestDoctorAcceptsPortOfOwnBroker runs
// it in a child process to hold a port.
func TestHelperListener(t *testing.T) {
	addr := os.Getenv("AMQLAB_HELPER_LISTEN")
	if addr == "" {
		t.Skip("helper process for TestDoctorAcceptsPortOfOwnBroker")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	fmt.Println("listening")
	io.Copy(io.Discard, os.Stdin)
}

func TestDoctorFreePortsLocksDisk(t *testing.T) {
	p := planWithPorts(t, []int{freePort(t), freePort(t)})
	checks := Diagnose(context.Background(), p, &Distribution{Version: "5.17.2", MinJava: 11, WebConsole: false})
	for _, c := range checks {
		if strings.HasPrefix(c.Name, "port") && !c.OK {
			t.Errorf("port check failed: %+v", c)
		}
		if strings.Contains(c.Name, "web") {
			t.Errorf("web port checked for a distribution without a web console: %+v", c)
		}
	}
	locks := findCheck(t, checks, "store file locks")
	if !locks.OK || !strings.Contains(locks.Detail, "refuses a second write lock") {
		t.Errorf("lock check on a local temp dir: %+v", locks)
	}
	disk := findCheck(t, checks, "disk space")
	if !strings.Contains(disk.Detail, "free on") {
		t.Errorf("disk check: %+v", disk)
	}
	// The checks do not leave files behind in the store's directory.
	entries, _ := os.ReadDir(nearestDir(p.Store))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".amqlab-lockcheck") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func TestDoctorJava(t *testing.T) {
	if _, err := javaPath(); err != nil {
		t.Fatalf("these tests need Java: %v", err)
	}
	ctx := context.Background()
	if c := checkJava(ctx, &Distribution{Version: "5.17.2", MinJava: 11}); !c.OK || !strings.Contains(c.Detail, "needs Java 11+") {
		t.Errorf("Java 11+ check: %+v", c)
	}
	if c := checkJava(ctx, &Distribution{Version: "99.0.0", MinJava: 999}); c.OK || !strings.Contains(c.Fix, "Java 999") {
		t.Errorf("an impossible requirement passed: %+v", c)
	}
	if c := checkJava(ctx, nil); !c.OK {
		t.Errorf("before install: %+v", c)
	}
	t.Setenv("JAVA_HOME", t.TempDir())
	if c := checkJava(ctx, nil); c.OK || !strings.Contains(c.Detail, "JAVA_HOME") {
		t.Errorf("broken JAVA_HOME: %+v", c)
	}
}

func TestNearestDir(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ in, want string }{
		{dir, dir},
		{filepath.Join(dir, "a", "b"), dir},
		{"/", "/"},
	}
	for _, tt := range tests {
		if got := nearestDir(tt.in); got != tt.want {
			t.Errorf("nearestDir(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFormatBytes(t *testing.T) {
	tests := []struct {
		n    uint64
		want string
	}{
		{512, "512 B"}, {1536, "1.5 KiB"}, {500 << 20, "500.0 MiB"}, {3 << 30, "3.0 GiB"},
	}
	for _, tt := range tests {
		if got := formatBytes(tt.n); got != tt.want {
			t.Errorf("formatBytes(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
