package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// DefaultStopTimeout is how long a broker gets to shut down after SIGTERM
// before amqlab kills it; a lab broker needs well under a second.
const DefaultStopTimeout = 15 * time.Second

// pollInterval paces every wait on broker facts.
const pollInterval = 50 * time.Millisecond

// StartOptions say which brokers to start and how.
type StartOptions struct {
	// Brokers to start, by name; empty means all. Running ones are left alone.
	Brokers []string
	// Parallel starts all at once and lets the fastest win the lock. By
	// default the first broker starts alone and the others follow once it
	// holds the store lock, so the master is predictable.
	Parallel bool
	// Detach lets the brokers outlive this process. Attached brokers are
	// killed by the kernel when this process ends, however it ends.
	Detach bool
	// ViaSupervisor asks the lab's foreground supervisor (a running
	// 'amqlab up'), if there is one, to start the brokers as its children,
	// so that they end with it; without one, Detach applies.
	ViaSupervisor bool
}

// Start launches brokers and returns once they run; with the default order
// it also waits until the first holds the store lock. Use WaitMaster or
// WaitSettled to wait for roles.
func (l *Lab) Start(ctx context.Context, opts StartOptions) error {
	targets, err := l.brokersNamed(opts.Brokers)
	if err != nil {
		return err
	}
	if opts.ViaSupervisor {
		if err := l.askSupervisor(ctx, opts); !errors.Is(err, errNoSupervisor) {
			return err
		}
	}
	if err := os.MkdirAll(runDir(l.Dir()), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", runDir(l.Dir()), err)
	}
	unlock, err := lockStarts(ctx, l.Dir())
	if err != nil {
		return err
	}
	defer unlock()
	status, holder, err := l.snapshot(ctx)
	if err != nil {
		return err
	}
	if holder.Foreign() {
		return fmt.Errorf("the store lock %s is held by pid %d, which is not a broker of this lab (a JVM left from an earlier lab?); stop it with 'kill %d' and start again",
			l.Plan().storeLockPath(), holder.Pid, holder.Pid)
	}
	targets = notRunning(targets, status)
	if len(targets) == 0 {
		return nil
	}
	java, err := l.preflight(ctx, targets)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(l.logDir(), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", l.logDir(), err)
	}
	rest := targets
	if !opts.Parallel && !holder.Held() {
		first := targets[0]
		if err := l.launch(java, first, opts.Detach); err != nil {
			return err
		}
		if err := l.waitLockOrRole(ctx, first.Name); err != nil {
			return err
		}
		rest = targets[1:]
	}
	for _, b := range rest {
		if err := l.launch(java, b, opts.Detach); err != nil {
			return err
		}
	}
	return nil
}

// lockStarts serialises starts of one lab across processes: two amqlab
// processes starting the same broker at once would launch two JVMs for it,
// and the one whose run record is overwritten could never be stopped.
func lockStarts(ctx context.Context, labDir string) (unlock func(), err error) {
	path := filepath.Join(runDir(labDir), "start.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("wait for another amqlab starting brokers of this lab: %w", ctx.Err())
		case <-time.After(pollInterval):
		}
	}
}

func notRunning(targets []BrokerPlan, status []BrokerStatus) []BrokerPlan {
	var out []BrokerPlan
	for _, b := range targets {
		for _, s := range status {
			if s.Name == b.Name && !s.Role.Alive() {
				out = append(out, b)
			}
		}
	}
	return out
}

// launch starts one broker JVM with its console going to its log.
func (l *Lab) launch(java string, b BrokerPlan, detach bool) error {
	if err := os.MkdirAll(brokerTmpDir(b), 0o755); err != nil {
		return fmt.Errorf("create data directory of %s: %w", b.Name, err)
	}
	logFile, err := os.OpenFile(l.LogPath(b.Name), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open log of %s: %w", b.Name, err)
	}
	defer logFile.Close() // the child has its own copy
	now := time.Now()
	fmt.Fprintf(logFile, "--- amqlab: starting %s at %s ---\n", b.Name, now.Format(time.RFC3339))
	info, err := logFile.Stat()
	if err != nil {
		return fmt.Errorf("open log of %s: %w", b.Name, err)
	}
	cmd := exec.Command(java, brokerArgs(l.Plan(), b)...)
	cmd.Dir = b.Home
	cmd.Stdout, cmd.Stderr = logFile, logFile
	labDir := l.Dir()
	l.reapers.Add(1)
	s, err := startProcess(cmd, !detach, func(s started, ps *os.ProcessState) {
		defer l.reapers.Done()
		e := exitOf(s, ps)
		_ = writeJSON(exitPath(labDir, b.Name), &e)
	})
	if err != nil {
		l.reapers.Done()
		return fmt.Errorf("start %s: %w", b.Name, err)
	}
	rec := runRecord{
		Pid: s.pid, StartTicks: s.ticks, Marker: brokerMarker(b),
		LogOffset: info.Size(), StartedAt: now, Detached: detach,
	}
	if err := writeJSON(runPath(labDir, b.Name), &rec); err != nil {
		_ = syscall.Kill(s.pid, syscall.SIGKILL) // unrecorded, it could never be stopped
		return fmt.Errorf("record %s: %w", b.Name, err)
	}
	return nil
}

// waitLockOrRole waits until a broker holds the store lock or settled as a
// slave, and fails when it ends instead.
func (l *Lab) waitLockOrRole(ctx context.Context, name string) error {
	return l.poll(ctx, func(st []BrokerStatus, _ LockHolder) (bool, error) {
		s := find(st, name)
		switch {
		case s.HoldsLock || s.Role == RoleSlave || s.Role == RoleMaster:
			return true, nil
		case !s.Role.Alive():
			return false, startFailure(s)
		}
		return false, nil
	})
}

func find(st []BrokerStatus, name string) BrokerStatus {
	for _, s := range st {
		if s.Name == name {
			return s
		}
	}
	return BrokerStatus{Name: name, Role: RoleStopped}
}

// startFailure explains a broker that ended while starting.
func startFailure(s BrokerStatus) error {
	code := ""
	if s.ExitCode != nil {
		code = fmt.Sprintf(" with exit code %d", *s.ExitCode)
	}
	msg := fmt.Sprintf("broker %s exited%s while starting", s.Name, code)
	if len(s.LastLines) > 0 {
		msg += "; its log ends with:\n  " + strings.Join(s.LastLines, "\n  ")
	}
	return errors.New(msg + "\nsee 'amqlab logs " + s.Name + "'")
}

// poll evaluates cond on fresh facts until it is done, fails, or ctx ends.
func (l *Lab) poll(ctx context.Context, cond func([]BrokerStatus, LockHolder) (bool, error)) error {
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	for {
		st, h, err := l.snapshot(ctx)
		if err != nil {
			return err
		}
		if done, err := cond(st, h); done || err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// WaitMaster waits until exactly one broker is master and returns its name.
func (l *Lab) WaitMaster(ctx context.Context) (string, error) {
	return l.waitMasterOtherThan(ctx, "")
}

// WaitTakeover waits until a broker other than oldMaster is master, as after
// the old master crashed or stopped.
func (l *Lab) WaitTakeover(ctx context.Context, oldMaster string) (string, error) {
	return l.waitMasterOtherThan(ctx, oldMaster)
}

func (l *Lab) waitMasterOtherThan(ctx context.Context, old string) (string, error) {
	var master string
	err := l.poll(ctx, func(st []BrokerStatus, h LockHolder) (bool, error) {
		if err := noProgress(st, h, old); err != nil {
			return false, err
		}
		masters := withRole(st, RoleMaster)
		if len(masters) == 1 && masters[0] != old {
			master = masters[0]
			return true, nil
		}
		return false, nil
	})
	if err != nil {
		return "", fmt.Errorf("wait for a master: %w", err)
	}
	return master, nil
}

// WaitSettled waits until every running broker is master or slave, with
// exactly one master, and returns that state.
func (l *Lab) WaitSettled(ctx context.Context) ([]BrokerStatus, error) {
	var settled []BrokerStatus
	err := l.poll(ctx, func(st []BrokerStatus, h LockHolder) (bool, error) {
		if err := noProgress(st, h, ""); err != nil {
			return false, err
		}
		if _, ok := settledMaster(st); ok {
			settled = st
			return true, nil
		}
		return false, nil
	})
	if err != nil {
		return nil, fmt.Errorf("wait for roles to settle: %w", err)
	}
	return settled, nil
}

// noProgress explains why no (new) master can appear: every candidate is
// down, or a stranger holds the lock.
func noProgress(st []BrokerStatus, h LockHolder, excluded string) error {
	if h.Foreign() {
		return fmt.Errorf("the store lock is held by pid %d, which is not a broker of this lab; stop it with 'kill %d'", h.Pid, h.Pid)
	}
	for _, s := range st {
		if s.Role.Alive() && s.Name != excluded {
			return nil
		}
	}
	for _, s := range st {
		if s.Role == RoleFailed {
			return startFailure(s)
		}
	}
	return errors.New("no broker is running; start the lab with 'amqlab up' or 'amqlab start'")
}

// settledMaster returns the master when every running broker is master or
// slave and exactly one is master.
func settledMaster(st []BrokerStatus) (string, bool) {
	masters := withRole(st, RoleMaster)
	if len(masters) != 1 || len(withRole(st, RoleStarting)) != 0 {
		return "", false
	}
	return masters[0], true
}

func withRole(st []BrokerStatus, r Role) []string {
	var names []string
	for _, s := range st {
		if s.Role == r {
			names = append(names, s.Name)
		}
	}
	return names
}

// Stop stops the named brokers (all when none are named) gracefully, like
// Ctrl+C in a broker's console: SIGTERM, then SIGKILL after timeout (0 means
// DefaultStopTimeout). Slaves stop before the master, so that stopping the
// whole lab does not hand mastership around first.
func (l *Lab) Stop(ctx context.Context, timeout time.Duration, names ...string) error {
	if timeout <= 0 {
		timeout = DefaultStopTimeout
	}
	st, err := l.statusOf(ctx, names)
	if err != nil {
		return err
	}
	var masters, others []string
	for _, s := range st {
		switch {
		case s.Role == RoleMaster || s.HoldsLock:
			masters = append(masters, s.Name)
		case s.Role.Alive():
			others = append(others, s.Name)
		}
	}
	if err := l.signalAll(ctx, others, syscall.SIGTERM, timeout); err != nil {
		return err
	}
	return l.signalAll(ctx, masters, syscall.SIGTERM, timeout)
}

// Kill ends the named brokers (all when none are named) with SIGKILL, a
// crash as far as the broker is concerned, and waits until they are gone.
func (l *Lab) Kill(ctx context.Context, names ...string) error {
	st, err := l.statusOf(ctx, names)
	if err != nil {
		return err
	}
	var alive []string
	for _, s := range st {
		if s.Role.Alive() {
			alive = append(alive, s.Name)
		}
	}
	return l.signalAll(ctx, alive, syscall.SIGKILL, 0)
}

// Restart stops the brokers of opts (all when none are named) and starts
// them again.
func (l *Lab) Restart(ctx context.Context, stopTimeout time.Duration, opts StartOptions) error {
	if err := l.Stop(ctx, stopTimeout, opts.Brokers...); err != nil {
		return err
	}
	return l.Start(ctx, opts)
}

// Down stops every broker of the lab.
func (l *Lab) Down(ctx context.Context, stopTimeout time.Duration) error {
	if err := l.Stop(ctx, stopTimeout); err != nil {
		return err
	}
	return l.waitReaped(ctx)
}

// waitReaped waits until every broker this process started has been reaped
// and its exit recorded.
func (l *Lab) waitReaped(ctx context.Context) error {
	done := make(chan struct{})
	go func() { l.reapers.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting for stopped brokers to be reaped: %w", ctx.Err())
	}
}

func (l *Lab) statusOf(ctx context.Context, names []string) ([]BrokerStatus, error) {
	targets, err := l.brokersNamed(names)
	if err != nil {
		return nil, err
	}
	st, err := l.Status(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]BrokerStatus, 0, len(targets))
	for _, b := range targets {
		out = append(out, find(st, b.Name))
	}
	return out, nil
}

// signalAll ends brokers in parallel and reports every failure.
func (l *Lab) signalAll(ctx context.Context, names []string, sig syscall.Signal, timeout time.Duration) error {
	var wg sync.WaitGroup
	errs := make([]error, len(names))
	for i, name := range names {
		wg.Go(func() { errs[i] = l.end(ctx, name, sig, timeout) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// end signals one broker and waits for it to be gone; after timeout a
// SIGTERM is followed by SIGKILL. The process is signalled through a pidfd
// taken before its identity is checked, so a pid reused by another process
// in between is never hit.
func (l *Lab) end(ctx context.Context, name string, sig syscall.Signal, timeout time.Duration) error {
	run, err := readRun(l.Dir(), name)
	if err != nil || run == nil {
		return err
	}
	proc, err := os.FindProcess(run.Pid)
	if err != nil || !run.alive() {
		return removeRun(l.Dir(), name) // gone already, or the pid is someone else's now
	}
	defer proc.Release()
	run.Stopping = true
	if err := writeJSON(runPath(l.Dir(), name), run); err != nil {
		return fmt.Errorf("record stop of %s: %w", name, err)
	}
	if err := proc.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("signal %s (pid %d): %w", name, run.Pid, err)
	}
	if sig != syscall.SIGKILL && !waitGone(ctx, run, timeout) {
		if err := proc.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
			return fmt.Errorf("kill %s (pid %d): %w", name, run.Pid, err)
		}
	}
	if !waitGone(ctx, run, killTimeout) || !l.waitLockReleased(ctx, run.Pid) {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("stop %s: %w", name, err)
		}
		return fmt.Errorf("broker %s (pid %d) is still running %s after SIGKILL; check it with 'ps -p %d'", name, run.Pid, killTimeout, run.Pid)
	}
	return removeRun(l.Dir(), name)
}

// killTimeout bounds the wait for the kernel to tear down a killed JVM.
const killTimeout = 10 * time.Second

// waitGone polls until the process has ended, for at most d.
func waitGone(ctx context.Context, run *runRecord, d time.Duration) bool {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	t := time.NewTicker(pollInterval / 2)
	defer t.Stop()
	for run.alive() {
		select {
		case <-ctx.Done():
			return false
		case <-deadline.C:
			return false
		case <-t.C:
		}
	}
	return true
}

// waitLockReleased waits until pid no longer holds the store lock: the
// kernel drops the lock of a killed JVM a moment after the process is gone,
// and a stopped broker is not done before its lock is free.
func (l *Lab) waitLockReleased(ctx context.Context, pid int) bool {
	deadline := time.Now().Add(killTimeout)
	for {
		holder, err := lockHolder(procRoot, l.Plan().storeLockPath())
		if err != nil || holder != pid {
			return true
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			return false
		}
		time.Sleep(pollInterval / 2)
	}
}

// brokersNamed resolves broker names; none means every broker.
func (l *Lab) brokersNamed(names []string) ([]BrokerPlan, error) {
	plan := l.Plan()
	if len(names) == 0 {
		return plan.Brokers, nil
	}
	out := make([]BrokerPlan, 0, len(names))
	for _, n := range names {
		b, ok := plan.Broker(n)
		if !ok {
			known := make([]string, len(plan.Brokers))
			for i, b := range plan.Brokers {
				known[i] = b.Name
			}
			return nil, fmt.Errorf("no broker %q in this lab; its brokers are %s", n, strings.Join(known, ", "))
		}
		out = append(out, b)
	}
	return out, nil
}
