// Package testlab gives live tests a real ActiveMQ lab of their own: a lab
// directory in t.TempDir(), free loopback ports for every connector, brokers
// installed and configured from the machine's ActiveMQ the way 'amqlab
// install' does it, optionally started with a master awaited, and a cleanup
// that stops every broker and fails the test if any JVM of the lab survives.
package testlab

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/amqlab/amqlab/cluster"
	"github.com/amqlab/amqlab/internal/distfixture"
)

// Options shape a test lab; zero values give two idle brokers.
type Options struct {
	Brokers           int  // default 2
	Start             bool // start all brokers (first one alone) and wait for a master
	Parallel          bool // with Start: start all at once
	LockInterval      int  // ms; 0 means the lab default
	NoStomp           bool
	NetworkConnectors bool // the article's complementary connectors; off keeps test logs quiet
	Heap              string
}

// startTimeout bounds starting a lab on a busy two-core machine.
const startTimeout = 2 * time.Minute

// New creates, installs and configures a lab for t, and starts it when
// o.Start is set. Everything it starts is stopped when the test ends.
func New(t testing.TB, o Options) *cluster.Lab {
	t.Helper()
	lab := Create(t, o)
	Install(t, lab, RequireActiveMQ(t))
	if o.Start {
		ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
		defer cancel()
		if err := lab.Start(ctx, cluster.StartOptions{Parallel: o.Parallel}); err != nil {
			t.Fatalf("start lab: %v", err)
		}
		if _, err := lab.WaitSettled(ctx); err != nil {
			t.Fatalf("lab did not settle: %v", err)
		}
	}
	return lab
}

// Create plans a lab for t on free ports without installing anything, for
// tests of the installation itself. Its brokers are stopped when the test
// ends; o.Start is ignored.
func Create(t testing.TB, o Options) *cluster.Lab {
	t.Helper()
	RequireActiveMQ(t)
	opts, err := cluster.WithFreePorts(cluster.PlanOptions{
		Brokers:             o.Brokers,
		LockInterval:        o.LockInterval,
		NoStomp:             o.NoStomp,
		NoNetworkConnectors: !o.NetworkConnectors,
		Heap:                o.Heap,
	})
	if err != nil {
		t.Fatal(err)
	}
	lab, err := cluster.Create(filepath.Join(t.TempDir(), "lab"), opts)
	if err != nil {
		t.Fatalf("create lab: %v", err)
	}
	t.Cleanup(func() { Teardown(t, lab) })
	return lab
}

// Install installs the lab from dist (an ActiveMQ home or archive) and
// configures it, as 'amqlab install --dist dist' does.
func Install(t testing.TB, lab *cluster.Lab, dist string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	inst := cluster.InstallOptions{Dist: dist, CacheDir: t.TempDir(), Search: []string{}}
	if err := lab.Install(ctx, inst); err != nil {
		t.Fatalf("install lab from %s: %v", dist, err)
	}
	if _, err := lab.Configure(nil); err != nil {
		t.Fatalf("configure lab: %v", err)
	}
}

// RequireActiveMQ returns the ActiveMQ home live tests run, or ends the test:
// skipped with AMQLAB_SKIP_LIVE=1 or -short, failed when none is installed
// so that a CI run without ActiveMQ cannot pass by skipping.
func RequireActiveMQ(t testing.TB) string {
	t.Helper()
	return distfixture.Home(t)
}

// FreePorts returns n distinct loopback ports that were free a moment ago.
func FreePorts(t testing.TB, n int) []int {
	t.Helper()
	ports, err := cluster.FreePorts(n)
	if err != nil {
		t.Fatal(err)
	}
	return ports
}

// teardownTimeout bounds the cleanup of one lab.
const teardownTimeout = time.Minute

// Teardown stops every broker of the lab and fails t if a JVM of the lab is
// still running afterwards; such strays are killed so that they do not
// disturb the next test.
func Teardown(t testing.TB, lab *cluster.Lab) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), teardownTimeout)
	defer cancel()
	if err := lab.Down(ctx, 10*time.Second); err != nil {
		t.Errorf("stop lab: %v", err)
	}
	for _, pid := range LabProcesses(lab.Dir()) {
		t.Errorf("process %d of lab %s survived the teardown; killed it", pid, lab.Dir())
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// LabProcesses lists the pids whose command line mentions the lab
// directory: the lab's JVMs, whoever started them.
func LabProcesses(labDir string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		stat, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if isZombie(stat) {
			continue
		}
		if strings.Contains(string(cmdline), labDir+string(filepath.Separator)) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func isZombie(stat []byte) bool {
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && strings.HasPrefix(s[i+1:], " Z")
}
