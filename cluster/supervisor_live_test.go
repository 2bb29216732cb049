package cluster_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/amqlab/amqlab/cluster"
	"github.com/amqlab/amqlab/internal/testlab"
)

const liveTimeout = 2 * time.Minute

func liveCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), liveTimeout)
	t.Cleanup(cancel)
	return ctx
}

func roles(st []cluster.BrokerStatus) map[string]cluster.Role {
	m := map[string]cluster.Role{}
	for _, s := range st {
		m[s.Name] = s.Role
	}
	return m
}

// assertRoles checks one master, the rest slaves, and the facts behind them.
func assertRoles(t *testing.T, lab *cluster.Lab, master string) {
	t.Helper()
	ctx := liveCtx(t)
	st, err := lab.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h, err := lab.LockHolder(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		want := cluster.RoleSlave
		if s.Name == master {
			want = cluster.RoleMaster
		}
		if s.Role != want {
			t.Errorf("%s is %s, want %s (all: %v)", s.Name, s.Role, want, roles(st))
		}
		if s.Pid == 0 {
			t.Errorf("%s has no pid", s.Name)
		}
		listensOpenWire := len(s.Listening) > 0 && s.Listening[0] == s.OpenWirePort
		if listensOpenWire != (s.Name == master) {
			t.Errorf("%s listens on %v; only the master may listen", s.Name, s.Listening)
		}
		if s.HoldsLock != (s.Name == master) {
			t.Errorf("%s holds lock = %v", s.Name, s.HoldsLock)
		}
		if s.Name == master && h.Pid != s.Pid {
			t.Errorf("lock holder is %v, want %s pid %d", h, s.Name, s.Pid)
		}
	}
	b, _ := lab.Plan().Broker(master)
	conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(b.OpenWirePort)), 5*time.Second)
	if err != nil {
		t.Errorf("master %s does not accept connections: %v", master, err)
	} else {
		conn.Close()
	}
}

func TestUpOneMasterRestSlaves(t *testing.T) {
	for _, n := range []int{2, 3} {
		t.Run(strconv.Itoa(n)+"brokers", func(t *testing.T) {
			lab := testlab.New(t, testlab.Options{Brokers: n, Start: true})
			master, err := lab.WaitMaster(liveCtx(t))
			if err != nil {
				t.Fatal(err)
			}
			if first := lab.Plan().Brokers[0].Name; master != first {
				t.Errorf("master is %s, want the first broker %s (started alone)", master, first)
			}
			assertRoles(t, lab, master)
		})
	}
}

// The article's last step: kill the master, a slave takes over, and the old
// master started again stays slave.
func TestKillMasterSlaveTakesOverOldStaysSlave(t *testing.T) {
	lab := testlab.New(t, testlab.Options{Brokers: 2, Start: true})
	ctx := liveCtx(t)
	old, err := lab.WaitMaster(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := lab.Kill(ctx, old); err != nil {
		t.Fatal(err)
	}
	next, err := lab.WaitTakeover(ctx, old)
	if err != nil {
		t.Fatal(err)
	}
	if next == old {
		t.Fatalf("takeover reported the old master %s", old)
	}
	if err := lab.Start(ctx, cluster.StartOptions{Brokers: []string{old}}); err != nil {
		t.Fatal(err)
	}
	st, err := lab.WaitSettled(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r := roles(st); r[old] != cluster.RoleSlave || r[next] != cluster.RoleMaster {
		t.Fatalf("after restarting %s: roles %v, want %s master and %s slave", old, r, next, old)
	}
	assertRoles(t, lab, next)
}

func TestResetRefusedWhileRunningAllowedAfterDown(t *testing.T) {
	lab := testlab.New(t, testlab.Options{Brokers: 2, Start: true})
	ctx := liveCtx(t)
	store := lab.Plan().Store
	err := lab.Reset(ctx, false)
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("reset of a running lab: err = %v, want a refusal", err)
	}
	if _, err := os.Stat(filepath.Join(store, "db.data")); err != nil {
		t.Fatalf("refused reset touched the store: %v", err)
	}
	if err := lab.Down(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if err := lab.Reset(ctx, false); err != nil {
		t.Fatalf("reset after down: %v", err)
	}
	entries, _ := os.ReadDir(store)
	for _, e := range entries {
		if e.Name() != "lock" {
			t.Errorf("reset left %s in the store", e.Name())
		}
	}
}

func TestResetStopFirst(t *testing.T) {
	lab := testlab.New(t, testlab.Options{Brokers: 2, Start: true})
	ctx := liveCtx(t)
	if err := lab.Reset(ctx, true); err != nil {
		t.Fatal(err)
	}
	st, err := lab.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if s.Role != cluster.RoleStopped {
			t.Errorf("%s is %s after reset --stop", s.Name, s.Role)
		}
	}
}

// A run record whose pid now belongs to another process is stale: status
// says stopped and stop and kill signal nothing. The other process is told
// apart by its start time, or, when even that matches, by its command line.
func TestStaleRunRecordIsStoppedAndNeverSignalled(t *testing.T) {
	tests := []struct {
		name  string
		ticks func(t *testing.T, pid int) uint64
	}{
		{"pid reused later", func(*testing.T, int) uint64 { return 1 }},
		{"same start time, not a broker", startTicks},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lab := testlab.New(t, testlab.Options{Brokers: 2})
			sleeper := exec.Command("sleep", "300")
			if err := sleeper.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { sleeper.Process.Kill(); sleeper.Wait() })
			pid := sleeper.Process.Pid
			b := lab.Plan().Brokers[0]
			runDir := filepath.Join(lab.Dir(), "run")
			if err := os.MkdirAll(runDir, 0o755); err != nil {
				t.Fatal(err)
			}
			rec := fmt.Sprintf(`{"pid":%d,"start_ticks":%d,"marker":"-Dactivemq.base=%s","log_offset":0,"started_at":"2020-01-01T00:00:00Z"}`,
				pid, tt.ticks(t, pid), b.Home)
			if err := os.WriteFile(filepath.Join(runDir, b.Name+".json"), []byte(rec), 0o644); err != nil {
				t.Fatal(err)
			}
			ctx := liveCtx(t)
			st, err := lab.Status(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if st[0].Role != cluster.RoleStopped || st[0].Pid != 0 {
				t.Errorf("stale record: role %s pid %d, want stopped and no pid", st[0].Role, st[0].Pid)
			}
			if err := lab.Stop(ctx, time.Second); err != nil {
				t.Fatal(err)
			}
			if err := lab.Kill(ctx); err != nil {
				t.Fatal(err)
			}
			var ws syscall.WaitStatus
			if got, err := syscall.Wait4(pid, &ws, syscall.WNOHANG, nil); got != 0 || err != nil {
				t.Fatalf("the unrelated process was signalled: it ended (%v, %v)", ws, err)
			}
		})
	}
}

// startTicks reads a process's start time, field 22 of /proc/<pid>/stat.
func startTicks(t *testing.T, pid int) uint64 {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	ticks, err := strconv.ParseUint(fields[22-3], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return ticks
}

func TestBusyPortFailsBeforeAnyJVM(t *testing.T) {
	lab := testlab.New(t, testlab.Options{Brokers: 2})
	b := lab.Plan().Brokers[1]
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(b.OpenWirePort)))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = lab.Start(liveCtx(t), cluster.StartOptions{})
	if err == nil || !strings.Contains(err.Error(), strconv.Itoa(b.OpenWirePort)) {
		t.Fatalf("start with port %d busy: err = %v, want it named", b.OpenWirePort, err)
	}
	if pids := testlab.LabProcesses(lab.Dir()); len(pids) != 0 {
		t.Fatalf("JVMs %v started although a port was busy", pids)
	}
	if _, err := os.Stat(lab.LogPath(lab.Plan().Brokers[0].Name)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the first broker was launched (its log exists: %v)", err)
	}
}

// TestMain lets the test binary double as a stray process that holds a
// lock, the way a JVM left from an earlier lab would.
func TestMain(m *testing.M) {
	if path := os.Getenv("AMQLAB_TEST_HOLD_LOCK"); path != "" {
		holdLockForever(path)
	}
	os.Exit(m.Run())
}

func holdLockForever(path string) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		os.Exit(3)
	}
	lk := syscall.Flock_t{Type: syscall.F_WRLCK}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk); err != nil {
		os.Exit(4)
	}
	os.Stdout.WriteString("locked\n")
	select {}
}

func TestForeignLockHolderIsNamedAndBlocksStart(t *testing.T) {
	lab := testlab.New(t, testlab.Options{Brokers: 2})
	lockPath := filepath.Join(lab.Plan().Store, "lock")
	stray := exec.Command(os.Args[0], "-test.run=^$")
	stray.Env = append(os.Environ(), "AMQLAB_TEST_HOLD_LOCK="+lockPath)
	out, err := stray.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := stray.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stray.Process.Kill(); stray.Wait() })
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "locked\n" {
		t.Fatalf("stray did not take the lock: %q", line)
	}
	ctx := liveCtx(t)
	h, err := lab.LockHolder(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !h.Foreign() || h.Pid != stray.Process.Pid {
		t.Fatalf("lock holder %+v, want foreign pid %d", h, stray.Process.Pid)
	}
	err = lab.Start(ctx, cluster.StartOptions{})
	if err == nil || !strings.Contains(err.Error(), strconv.Itoa(stray.Process.Pid)) {
		t.Fatalf("start with a stray lock holder: err = %v, want it named", err)
	}
	if err := lab.Reset(ctx, false); err == nil {
		t.Fatal("reset went ahead while a stray holds the store lock")
	}
	if pids := testlab.LabProcesses(lab.Dir()); len(pids) != 0 {
		t.Fatalf("JVMs %v started although a stray holds the lock", pids)
	}
}

// A missing Java or a broken install is one clear error before any JVM.
func TestStartRefusesBeforeAnyJVM(t *testing.T) {
	tests := []struct {
		name     string
		breakLab func(t *testing.T, lab *cluster.Lab) (want string)
	}{
		{"java missing", func(t *testing.T, lab *cluster.Lab) string {
			t.Setenv("JAVA_HOME", t.TempDir())
			return "JAVA_HOME"
		}},
		{"install broken", func(t *testing.T, lab *cluster.Lab) string {
			b := lab.Plan().Brokers[1]
			if err := os.Remove(filepath.Join(b.ConfDir(), "activemq.xml")); err != nil {
				t.Fatal(err)
			}
			return "broker " + b.Name + " is not installed completely"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lab := testlab.New(t, testlab.Options{Brokers: 2})
			want := tt.breakLab(t, lab)
			err := lab.Start(liveCtx(t), cluster.StartOptions{})
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("start: err = %v, want it to mention %q", err, want)
			}
			if pids := testlab.LabProcesses(lab.Dir()); len(pids) != 0 {
				t.Fatalf("JVMs %v started", pids)
			}
		})
	}
}
