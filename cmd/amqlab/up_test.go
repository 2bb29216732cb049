package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/amqlab/amqlab/cluster"
	"github.com/amqlab/amqlab/internal/distfixture"
	"github.com/amqlab/amqlab/internal/testlab"
)

// upDeadline bounds install plus start of a lab on a busy two-core machine.
const upDeadline = 3 * time.Minute

// buildAmqlab compiles the command into a temporary directory, so that a
// test can signal a real amqlab process.
func buildAmqlab(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "amqlab")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// labArgs are the global and plan flags of a test lab of n brokers on free
// loopback ports, installed from the machine's ActiveMQ.
func labArgs(t *testing.T, dir string, n int) []string {
	t.Helper()
	home := distfixture.Home(t)
	ports := testlab.FreePorts(t, 3*n)
	join := func(ps []int) string {
		s := make([]string, len(ps))
		for i, p := range ps {
			s[i] = strconv.Itoa(p)
		}
		return strings.Join(s, ",")
	}
	return []string{"--dir", dir, "--no-color", "--brokers", strconv.Itoa(n), "--dist", home,
		"--port", join(ports[:n]), "--stomp-port", join(ports[n : 2*n]), "--web-port", join(ports[2*n:]),
		"--network-connectors=false"}
}

// upProcess is a foreground 'amqlab up' under test.
type upProcess struct {
	cmd   *exec.Cmd
	mu    sync.Mutex
	out   bytes.Buffer
	lines chan string
	done  chan error
}

func startUp(t *testing.T, bin string, args ...string) *upProcess {
	t.Helper()
	p := &upProcess{lines: make(chan string, 1024), done: make(chan error, 1)}
	p.cmd = exec.Command(bin, append([]string{"up"}, args...)...)
	p.cmd.Env = append(os.Environ(), "NO_COLOR=1", "AMQLAB_DIR=")
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stderr = p.cmd.Stdout
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.mu.Lock()
			p.out.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			select {
			case p.lines <- sc.Text():
			default:
			}
		}
		p.done <- p.cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		if t.Failed() {
			t.Logf("amqlab up output:\n%s", p.output())
		}
	})
	return p
}

func (p *upProcess) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// waitFor waits for an output line containing s.
func (p *upProcess) waitFor(t *testing.T, s string) {
	t.Helper()
	deadline := time.After(upDeadline)
	for {
		select {
		case line := <-p.lines:
			if strings.Contains(line, s) {
				return
			}
		case err := <-p.done:
			p.done <- err
			t.Fatalf("amqlab up ended (%v) before printing %q", err, s)
		case <-deadline:
			t.Fatalf("amqlab up did not print %q within %s", s, upDeadline)
		}
	}
}

func (p *upProcess) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(time.Minute):
		t.Fatal("amqlab up did not end within a minute")
		return nil
	}
}

// statusJSON runs 'amqlab status --json' in-process.
func statusJSON(t *testing.T, dir string) []cluster.BrokerStatus {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := run([]string{"--dir", dir, "status", "--json"}, &out, &errOut); code != 0 {
		t.Fatalf("status: exit %d: %s", code, errOut.String())
	}
	var st []cluster.BrokerStatus
	if err := json.Unmarshal(out.Bytes(), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, out.String())
	}
	return st
}

func requireOneMaster(t *testing.T, st []cluster.BrokerStatus) string {
	t.Helper()
	var masters, slaves []string
	for _, s := range st {
		switch s.Role {
		case cluster.RoleMaster:
			masters = append(masters, s.Name)
		case cluster.RoleSlave:
			slaves = append(slaves, s.Name)
		}
	}
	if len(masters) != 1 || len(slaves) != len(st)-1 {
		t.Fatalf("want one master and %d slaves, got masters %v slaves %v", len(st)-1, masters, slaves)
	}
	return masters[0]
}

// parentOf reads the parent pid of a process from /proc/<pid>/stat.
func parentOf(t *testing.T, pid int) int {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	ppid, err := strconv.Atoi(fields[1])
	if err != nil {
		t.Fatal(err)
	}
	return ppid
}

// requireNoJVM waits until no process of the lab runs.
func requireNoJVM(t *testing.T, dir string, within time.Duration) {
	t.Helper()
	abs, _ := filepath.Abs(dir)
	deadline := time.Now().Add(within)
	for {
		pids := testlab.LabProcesses(abs)
		if len(pids) == 0 {
			return
		}
		if time.Now().After(deadline) {
			for _, pid := range pids {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
			t.Fatalf("JVMs %v of the lab still run %s later (killed now)", pids, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestUpForegroundCtrlCStopsEverything(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lab")
	args := labArgs(t, dir, 2) // skips first when live tests are off
	bin := buildAmqlab(t)
	t.Cleanup(func() { requireNoJVM(t, dir, 30*time.Second) })
	up := startUp(t, bin, args...)
	up.waitFor(t, "roles settled")
	st := statusJSON(t, dir)
	master := requireOneMaster(t, st)
	if master != st[0].Name {
		t.Errorf("master is %s, want %s, the broker started first", master, st[0].Name)
	}
	if err := up.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := up.wait(t); err != nil {
		t.Fatalf("amqlab up after Ctrl+C: %v, want exit 0", err)
	}
	requireNoJVM(t, dir, 0)
	out := up.output()
	for _, want := range []string{
		st[0].Name + " | ",              // broker output, prefixed
		st[0].Name + " ▸ became master", // events, marked apart
		st[1].Name + " ▸ is slave",      //
		"failover:(tcp://127.0.0.1:",    // the summary's URLs
		st[0].Name + " ▸ exited",        // the stop is seen too
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestUpForegroundKilledLeavesNoJVM(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lab")
	args := labArgs(t, dir, 2)
	bin := buildAmqlab(t)
	up := startUp(t, bin, args...)
	up.waitFor(t, "roles settled")
	// A broker restarted from another terminal becomes the up's child too.
	slave := statusJSON(t, dir)[1].Name
	var out, errOut bytes.Buffer
	for _, verb := range []string{"kill", "start"} {
		if code := run([]string{"--dir", dir, verb, slave}, &out, &errOut); code != 0 {
			t.Fatalf("%s %s: exit %d: %s", verb, slave, code, errOut.String())
		}
	}
	restarted := statusJSON(t, dir)[1]
	if restarted.Role != cluster.RoleSlave {
		t.Fatalf("restarted %s is %s, want slave", slave, restarted.Role)
	}
	if ppid := parentOf(t, restarted.Pid); ppid != up.cmd.Process.Pid {
		t.Fatalf("restarted %s has parent %d, want the foreground up %d", slave, ppid, up.cmd.Process.Pid)
	}
	if err := up.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = up.wait(t)
	// The kernel kills the brokers when the amqlab that forked them dies.
	requireNoJVM(t, dir, 30*time.Second)
	for _, s := range statusJSON(t, dir) {
		if s.Role.Alive() {
			t.Errorf("%s is %s after its up was killed", s.Name, s.Role)
		}
	}
}

func TestUpDetachedThreeBrokersThenDownAndReset(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lab")
	t.Cleanup(func() {
		run([]string{"--dir", dir, "down"}, io.Discard, io.Discard)
		requireNoJVM(t, dir, 30*time.Second)
	})
	var out, errOut bytes.Buffer
	if code := run(append([]string{"up", "-d"}, labArgs(t, dir, 3)...), &out, &errOut); code != 0 {
		t.Fatalf("up -d: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "roles settled") {
		t.Errorf("up -d printed no summary:\n%s", out.String())
	}
	st := statusJSON(t, dir)
	master := requireOneMaster(t, st)
	// The table names the lock holder; logs prefix every line.
	out.Reset()
	if code := run([]string{"--dir", dir, "status"}, &out, &errOut); code != 0 {
		t.Fatalf("status: exit %d: %s", code, errOut.String())
	}
	if want := fmt.Sprintf("store lock  held by %s (pid", master); !strings.Contains(out.String(), want) {
		t.Errorf("status table lacks %q:\n%s", want, out.String())
	}
	out.Reset()
	if code := run([]string{"--dir", dir, "logs", "-n", "3", st[1].Name}, &out, &errOut); code != 0 {
		t.Fatalf("logs: exit %d: %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[2], st[1].Name+" | ") || !strings.Contains(lines[2], "slave mode") {
		t.Errorf("logs -n 3 %s:\n%s", st[1].Name, out.String())
	}
	// Stopping the master gracefully hands the lock to a slave.
	out.Reset()
	if code := run([]string{"--dir", dir, "stop", master}, &out, &errOut); code != 0 {
		t.Fatalf("stop %s: exit %d: %s", master, code, errOut.String())
	}
	if !strings.Contains(out.String(), master+" stopped (was master") {
		t.Errorf("stop output:\n%s", out.String())
	}
	errOut.Reset()
	if code := run([]string{"--dir", dir, "reset"}, &out, &errOut); code == 0 || !strings.Contains(errOut.String(), "refused") {
		t.Fatalf("reset of a running lab: exit %d, stderr %q; want a refusal", code, errOut.String())
	}
	if code := run([]string{"--dir", dir, "down"}, &out, &errOut); code != 0 {
		t.Fatalf("down: exit %d: %s", code, errOut.String())
	}
	requireNoJVM(t, dir, 0)
	if code := run([]string{"--dir", dir, "reset"}, &out, &errOut); code != 0 {
		t.Fatalf("reset after down: exit %d: %s", code, errOut.String())
	}
}

func TestUpBusyPortFailsBeforeAnyJVM(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lab")
	args := labArgs(t, dir, 2)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	busy := ln.Addr().(*net.TCPAddr).Port
	for i, a := range args {
		if a == "--stomp-port" {
			first, _, _ := strings.Cut(args[i+1], ",")
			args[i+1] = strings.Replace(args[i+1], first, strconv.Itoa(busy), 1)
		}
	}
	var out, errOut bytes.Buffer
	code := run(append([]string{"up", "-d"}, args...), &out, &errOut)
	if code == 0 || !strings.Contains(errOut.String(), fmt.Sprint(busy)) {
		t.Fatalf("up with port %d busy: exit %d, stderr %q; want an error naming the port", busy, code, errOut.String())
	}
	requireNoJVM(t, dir, 0)
	logs, _ := filepath.Glob(filepath.Join(dir, "logs", "*.log"))
	if len(logs) != 0 {
		t.Errorf("brokers were launched: %v", logs)
	}
}
