package cluster

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"time"
)

// EventKind names a change in the lab that a watcher reports.
type EventKind string

const (
	EventStarted EventKind = "started" // a broker process appeared
	EventMaster  EventKind = "master"  // it became master
	EventSlave   EventKind = "slave"   // it waits for the store lock
	EventExited  EventKind = "exited"  // it ended after it was up, or was stopped
	EventFailed  EventKind = "failed"  // it ended while starting
	// EventSettled: every running broker is master or slave, with one
	// master. Broker names the master; it comes after that poll's other events.
	EventSettled EventKind = "settled"
)

// Event is one change, as seen by comparing two sets of facts. Events come
// from facts, not from the process that caused them, so a watcher also sees
// brokers started or stopped from another terminal.
type Event struct {
	Broker   string
	Kind     EventKind
	Pid      int
	ExitCode int    // EventExited, EventFailed: -1 when unknown
	Signal   string // when a signal ended the process
	Lines    []string
}

func (e Event) String() string {
	switch e.Kind {
	case EventStarted:
		return fmt.Sprintf("started (pid %d)", e.Pid)
	case EventMaster:
		return "became master: holds the store lock and accepts connections"
	case EventSlave:
		return "is slave: waiting for the store lock"
	case EventSettled:
		return "roles settled: " + e.Broker + " is master"
	case EventFailed:
		s := "failed to start" + e.exitText()
		if len(e.Lines) > 0 {
			s += ": " + strings.TrimSpace(e.Lines[len(e.Lines)-1])
		}
		return s
	}
	return "exited" + e.exitText()
}

func (e Event) exitText() string {
	switch {
	case e.Signal != "":
		return fmt.Sprintf(" with code %d (%s)", e.ExitCode, e.Signal)
	case e.ExitCode > 128 && e.ExitCode < 128+65: // 64 signals on Linux
		// A JVM that handles a signal exits by itself with 128+signal.
		return fmt.Sprintf(" with code %d (after %s)", e.ExitCode, signalName(syscall.Signal(e.ExitCode-128)))
	case e.ExitCode >= 0:
		return fmt.Sprintf(" with code %d", e.ExitCode)
	}
	return ""
}

// exitGrace is how long a watcher waits for the exit code of a broker it saw
// end; the amqlab that reaps it writes the code a moment later.
const exitGrace = time.Second

// Watch polls the lab every interval and reports each change to sink until
// ctx ends. Brokers already running when it starts are reported too.
func (l *Lab) Watch(ctx context.Context, interval time.Duration, sink func(Event)) error {
	w := watcher{lab: l, prev: map[string]BrokerStatus{}, pending: map[string]pendingExit{}}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		st, err := l.Status(ctx)
		if err != nil {
			if ctx.Err() != nil {
				w.drain(l, sink)
				return nil
			}
			return err
		}
		w.compare(st, time.Now(), sink)
		select {
		case <-ctx.Done():
			w.drain(l, sink)
			return nil
		case <-t.C:
		}
	}
}

// drain reports what changed since the last poll once more after the
// watch was cancelled, typically right after the lab was stopped, waiting
// up to exitGrace for the exit codes of brokers seen ending.
func (w *watcher) drain(l *Lab, sink func(Event)) {
	deadline := time.Now().Add(exitGrace)
	for {
		st, err := l.Status(context.Background())
		if err != nil {
			return
		}
		now := time.Now()
		if len(w.pending) == 0 || now.After(deadline) {
			w.compare(st, deadline.Add(time.Nanosecond), sink)
			return
		}
		w.compare(st, now, sink)
		time.Sleep(pollInterval)
	}
}

type watcher struct {
	lab     *Lab
	prev    map[string]BrokerStatus
	pending map[string]pendingExit
	master  string // of the last settled state reported
}

// pendingExit is an ended process whose exit code is not known yet.
type pendingExit struct {
	pid      int
	deadline time.Time
}

func (w *watcher) compare(st []BrokerStatus, now time.Time, sink func(Event)) {
	for _, cur := range st {
		prev, seen := w.prev[cur.Name]
		if !seen {
			prev = BrokerStatus{Name: cur.Name, Role: RoleStopped}
		}
		w.prev[cur.Name] = cur
		if prev.Pid != 0 && prev.Pid != cur.Pid {
			w.pending[cur.Name] = pendingExit{pid: prev.Pid, deadline: now.Add(exitGrace)}
		}
		w.flushExit(cur.Name, now, cur.Pid != 0, sink)
		newProcess := cur.Pid != 0 && cur.Pid != prev.Pid
		switch {
		case newProcess:
			sink(Event{Broker: cur.Name, Kind: EventStarted, Pid: cur.Pid})
		case cur.Role == RoleFailed && prev.Role != RoleFailed && seen:
			e := Event{Broker: cur.Name, Kind: EventFailed, ExitCode: -1, Lines: cur.LastLines}
			if cur.ExitCode != nil {
				e.ExitCode = *cur.ExitCode
			}
			delete(w.pending, cur.Name)
			sink(e)
		}
		if cur.Role != prev.Role || newProcess {
			switch cur.Role {
			case RoleMaster:
				sink(Event{Broker: cur.Name, Kind: EventMaster, Pid: cur.Pid})
			case RoleSlave:
				sink(Event{Broker: cur.Name, Kind: EventSlave, Pid: cur.Pid})
			}
		}
	}
	w.reportSettled(st, sink)
}

// reportSettled reports a settled lab once per master.
func (w *watcher) reportSettled(st []BrokerStatus, sink func(Event)) {
	master, ok := settledMaster(st)
	switch {
	case !ok:
		if len(withRole(st, RoleMaster)) == 0 {
			w.master = "" // the same broker may become master again later
		}
	case master != w.master:
		w.master = master
		sink(Event{Broker: master, Kind: EventSettled, Pid: find(st, master).Pid})
	}
}

// flushExit reports an ended process once its exit record is there, when
// its grace period is over, or at once when a new process follows it.
func (w *watcher) flushExit(name string, now time.Time, force bool, sink func(Event)) {
	p, ok := w.pending[name]
	if !ok {
		return
	}
	e := Event{Broker: name, Kind: EventExited, Pid: p.pid, ExitCode: -1}
	rec, _ := readExit(w.lab.Dir(), name)
	known := rec != nil && rec.Pid == p.pid
	if !known && !force && now.Before(p.deadline) {
		return
	}
	if known {
		e.ExitCode, e.Signal = rec.Code, rec.Signal
	}
	delete(w.pending, name)
	sink(e)
}
