package cluster

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// BrokerStatus is one broker as status shows it.
type BrokerStatus struct {
	Name          string    `json:"name"`
	Pid           int       `json:"pid"` // 0 when not running
	Role          Role      `json:"role"`
	OpenWirePort  int       `json:"openwire_port"`
	StompPort     int       `json:"stomp_port"`
	WebPort       int       `json:"web_port"`
	Listening     []int     `json:"listening"` // planned ports the broker listens on now
	HoldsLock     bool      `json:"holds_lock"`
	Detached      bool      `json:"detached"`
	StartedAt     time.Time `json:"started_at,omitzero"`
	UptimeSeconds int64     `json:"uptime_seconds"`
	ExitCode      *int      `json:"exit_code,omitempty"`  // of the last run, when amqlab saw it end
	LastLines     []string  `json:"last_lines,omitempty"` // of a failed broker's log
}

// Uptime is how long the broker process has run.
func (s BrokerStatus) Uptime() time.Duration { return time.Duration(s.UptimeSeconds) * time.Second }

// LockHolder tells who holds the store lock.
type LockHolder struct {
	Pid    int    `json:"pid"`    // 0: nobody
	Broker string `json:"broker"` // the lab broker holding it; empty for a foreign process
	// Exiting: the holder has ended and the kernel is about to drop the
	// lock; for some milliseconds after a JVM is reaped it is still listed.
	Exiting bool `json:"exiting,omitempty"`
}

// Foreign reports a lock held by a process that is not a broker of this
// lab, such as a JVM left over from an earlier lab.
func (h LockHolder) Foreign() bool { return h.Held() && h.Broker == "" }

// Held reports whether a live process holds the lock.
func (h LockHolder) Held() bool { return h.Pid != 0 && !h.Exiting }

func (h LockHolder) String() string {
	switch {
	case h.Pid == 0:
		return "free"
	case h.Exiting:
		return fmt.Sprintf("being released by pid %d, which has ended", h.Pid)
	case h.Foreign():
		return fmt.Sprintf("held by pid %d, which is not a broker of this lab", h.Pid)
	}
	return fmt.Sprintf("held by %s (pid %d)", h.Broker, h.Pid)
}

// failedTail is how many log lines status keeps of a failed broker.
const failedTail = 10

// failureLines returns the last lines of a failed broker's log that say
// something: Java stack frames and the repeats of one message that the
// launcher prints at several levels would push the reason out of view.
func failureLines(path string) ([]string, error) {
	lines, err := tailFile(path, 20*failedTail)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var kept []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "at ") || strings.HasPrefix(t, "... ") && strings.HasSuffix(t, " more") {
			continue
		}
		key := strings.TrimPrefix(strings.TrimPrefix(t, "ERROR: "), "Caused by: ")
		if seen[key] {
			continue
		}
		seen[key] = true
		kept = append(kept, l)
	}
	return kept[max(len(kept)-failedTail, 0):], nil
}

// storeLockPath is the file KahaDB locks in the shared store.
func (p *Plan) storeLockPath() string { return filepath.Join(p.Store, "lock") }

// Status reports every broker of the lab, in plan order.
func (l *Lab) Status(ctx context.Context) ([]BrokerStatus, error) {
	st, _, err := l.snapshot(ctx)
	return st, err
}

// LockHolder reports who holds the shared store's lock.
func (l *Lab) LockHolder(ctx context.Context) (LockHolder, error) {
	_, h, err := l.snapshot(ctx)
	return h, err
}

// snapshot gathers the facts of every broker once.
func (l *Lab) snapshot(ctx context.Context) ([]BrokerStatus, LockHolder, error) {
	if err := ctx.Err(); err != nil {
		return nil, LockHolder{}, err
	}
	plan := l.Plan()
	holder, err := lockHolder(procRoot, plan.storeLockPath())
	if err != nil {
		return nil, LockHolder{}, err
	}
	lh := LockHolder{Pid: holder}
	out := make([]BrokerStatus, 0, len(plan.Brokers))
	for _, b := range plan.Brokers {
		s, err := l.brokerStatus(b, holder)
		if err != nil {
			return nil, LockHolder{}, err
		}
		if s.HoldsLock {
			lh.Broker = b.Name
		}
		out = append(out, s)
	}
	if lh.Pid != 0 && lh.Broker == "" {
		_, err := readProcInfo(procRoot, lh.Pid)
		lh.Exiting = errors.Is(err, fs.ErrNotExist)
	}
	return out, lh, nil
}

func (l *Lab) brokerStatus(b BrokerPlan, lockPid int) (BrokerStatus, error) {
	s := BrokerStatus{
		Name: b.Name, Role: RoleStopped, Listening: []int{},
		OpenWirePort: b.OpenWirePort, StompPort: b.StompPort, WebPort: b.WebPort,
	}
	run, err := readRun(l.Dir(), b.Name)
	if err != nil || run == nil {
		return s, err
	}
	f := brokerFacts{Recorded: true, Alive: run.alive(), Stopping: run.Stopping, ExitCode: -1}
	if f.Log, err = scanLog(l.LogPath(b.Name), run.LogOffset); err != nil {
		return s, fmt.Errorf("read log of %s: %w", b.Name, err)
	}
	if exit, err := readExit(l.Dir(), b.Name); err == nil && exit.matches(run) {
		f.ExitCode = exit.Code
		s.ExitCode = &exit.Code
	}
	if f.Alive {
		s.Pid, s.Detached, s.StartedAt = run.Pid, run.Detached, run.StartedAt
		s.UptimeSeconds = int64(time.Since(run.StartedAt).Seconds())
		f.HoldsLock = lockPid == run.Pid
		s.HoldsLock = f.HoldsLock
		ports, _ := listeningPorts(procRoot, run.Pid)
		for _, p := range []int{b.OpenWirePort, b.StompPort, b.WebPort} {
			if p != 0 && ports[p] {
				s.Listening = append(s.Listening, p)
			}
		}
		f.Listening = slices.Contains(s.Listening, b.OpenWirePort)
	}
	s.Role = roleOf(f)
	if s.Role == RoleFailed {
		s.LastLines, _ = failureLines(l.LogPath(b.Name))
	}
	return s, nil
}
