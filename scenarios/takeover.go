package scenarios

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/amqlab/amqlab/cluster"
)

// How a scenario ends the master.
const (
	ModeKill = "kill" // SIGKILL: a crash, the lock is released by the kernel
	ModeStop = "stop" // SIGTERM: a clean shutdown, as Ctrl+C in the broker's console
)

// takeoverPoll paces the watch on the brokers during a failover; it bounds
// the resolution of the measured times.
const takeoverPoll = 10 * time.Millisecond

// takeover is one measured change of master. Durations count from the
// moment the old master was signalled.
type takeover struct {
	Old, New  string
	At        time.Time     // when the old master was signalled
	Closed    time.Duration // the old master stopped accepting on the client port
	Accepting time.Duration // the new master accepts on the client port
}

// checkMode refuses an unknown mode before anything is broken.
func checkMode(mode string) error {
	if mode != ModeKill && mode != ModeStop {
		return fmt.Errorf("mode %q: use %q (SIGKILL, a crash) or %q (a graceful stop)", mode, ModeKill, ModeStop)
	}
	return nil
}

// breakMaster ends the master by mode and watches the other brokers until
// one of them is master and accepts on its client port. onClosed, if set,
// runs once the old master no longer accepts there: from then on any client
// must fail over, so that is when a client probe may start.
func breakMaster(ctx context.Context, lab *cluster.Lab, master, mode string, port clientPort, onClosed func()) (takeover, error) {
	tk := takeover{Old: master, At: time.Now()}
	signalled := make(chan error, 1)
	go func() {
		if mode == ModeStop {
			signalled <- lab.Stop(ctx, 0, master)
		} else {
			signalled <- lab.Kill(ctx, master)
		}
	}()
	tick := time.NewTicker(takeoverPoll)
	defer tick.Stop()
	var sigErr error
	sigDone := false
	for tk.Closed == 0 || tk.Accepting == 0 {
		select {
		case <-ctx.Done():
			return tk, fmt.Errorf("wait for a broker to take over from %s: %w", master, ctx.Err())
		case sigErr = <-signalled:
			sigDone = true
			if sigErr != nil {
				return tk, fmt.Errorf("%s %s: %w", mode, master, sigErr)
			}
			signalled = nil
		case <-tick.C:
		}
		st, err := lab.Status(ctx)
		if err != nil {
			return tk, err
		}
		now := time.Since(tk.At)
		if !anyAliveBut(st, master) {
			return tk, fmt.Errorf("no broker is left to take over from %s: every other broker has stopped; see 'amqlab status' and 'amqlab logs'", master)
		}
		for _, s := range st {
			listens := slices.Contains(s.Listening, port(s))
			switch {
			case s.Name == master && !listens && tk.Closed == 0:
				tk.Closed = max(now, time.Microsecond)
				if onClosed != nil {
					onClosed()
				}
			case s.Name != master && listens && s.Role.Alive() && tk.Accepting == 0:
				tk.Accepting, tk.New = max(now, time.Microsecond), s.Name
			}
		}
	}
	if !sigDone {
		if sigErr = <-signalled; sigErr != nil {
			return tk, fmt.Errorf("%s %s: %w", mode, master, sigErr)
		}
	}
	// An open port is not yet mastership by every sign: wait until the new
	// master also holds the lock and has logged that it started.
	newMaster, err := lab.WaitTakeover(ctx, master)
	if err != nil {
		return tk, err
	}
	if newMaster != tk.New {
		return tk, fmt.Errorf("%s accepted connections first, but %s became master", tk.New, newMaster)
	}
	return tk, nil
}

func anyAliveBut(st []cluster.BrokerStatus, name string) bool {
	for _, s := range st {
		if s.Name != name && s.Role.Alive() {
			return true
		}
	}
	return false
}

// clientPort is the port of a broker that the scenario's client uses.
type clientPort func(cluster.BrokerStatus) int

func stompPort(s cluster.BrokerStatus) int    { return s.StompPort }
func openWirePort(s cluster.BrokerStatus) int { return s.OpenWirePort }

// currentMaster waits for settled roles and returns the master and the
// slaves ready to take over.
func currentMaster(ctx context.Context, lab *cluster.Lab) (string, []string, error) {
	st, err := lab.WaitSettled(ctx)
	if err != nil {
		return "", nil, err
	}
	var master string
	var slaves []string
	for _, s := range st {
		switch s.Role {
		case cluster.RoleMaster:
			master = s.Name
		case cluster.RoleSlave:
			slaves = append(slaves, s.Name)
		}
	}
	if len(slaves) == 0 {
		return "", nil, fmt.Errorf("only %s runs; a failover needs a slave waiting for the lock: start the other brokers with 'amqlab start'", master)
	}
	return master, slaves, nil
}
