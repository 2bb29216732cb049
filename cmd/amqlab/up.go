package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/amqlab/amqlab/cluster"
)

func init() { register(newUpCmd) }

// watchInterval paces the role events of a foreground up.
const watchInterval = 200 * time.Millisecond

type upOptions struct {
	prefix      string // how to call amqlab for this lab, for the hints
	install     cluster.InstallOptions
	parallel    bool
	detach      bool
	stopTimeout time.Duration
}

func newUpCmd(a *app) *cobra.Command {
	var o upOptions
	var pf *planFlags
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Install, configure and run the lab, showing every broker's console",
		Long: `Bring the lab up from nothing in one command: install and configure it when needed
(the same plan flags as 'amqlab install'), then start every broker.

The first broker starts alone and takes the store lock, so it is master; the others
start once it holds the lock and wait as slaves (--parallel starts all at once and
lets the fastest win). Every broker's console is shown interleaved, each line
prefixed with the broker's name in its colour ("amq61616 | …"), and amqlab's own
observations are marked apart ("amq61616 ▸ became master"). Once the roles settle
a summary names the master, the failover URLs and what to try next.

Ctrl+C or SIGTERM stops every broker gracefully (SIGTERM, then SIGKILL after
--stop-timeout; Ctrl+C twice kills at once) and exits 0. Brokers started by a
foreground up die with it even if it is killed itself. With -d the lab runs in the
background and up returns once the roles settle; stop it with 'amqlab down'.`,
		Example: `  amqlab up                      # 2 brokers on 61616/61617, Ctrl+C to stop
  amqlab up -d && amqlab status  # in the background
  amqlab up --brokers 3 --dist ~/Downloads/apache-activemq-5.18.6-bin.tar.gz
  amqlab up --heap 512m --java-opts "-XX:+UseSerialGC"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.prefix = a.commandPrefix(cmd)
			lab, err := a.setUpLab(cmd, pf, o.install)
			if err != nil {
				return err
			}
			if o.detach {
				return a.upDetached(cmd.Context(), lab, o)
			}
			return a.upForeground(cmd.Context(), lab, o)
		},
	}
	pf = addPlanFlags(cmd)
	f := cmd.Flags()
	addDistFlags(cmd, &o.install)
	f.BoolVar(&o.parallel, "parallel", false, "start every broker at once and let the fastest take the lock")
	f.BoolVarP(&o.detach, "detach", "d", false, "run the lab in the background; return once roles settle")
	addStopTimeout(cmd, &o.stopTimeout)
	return cmd
}

// setUpLab creates, installs and configures the lab as far as needed; install
// and up share it. A re-run that installs nothing and changes no plan flag
// leaves every conf/ as it is. Plan changes are refused while brokers run:
// their configuration would change under them.
func (a *app) setUpLab(cmd *cobra.Command, pf *planFlags, inst cluster.InstallOptions) (*cluster.Lab, error) {
	ctx := cmd.Context()
	if planFlagsChanged(cmd) {
		if lab, err := cluster.Open(a.dir); err == nil {
			if err := refuseWhileRunning(ctx, lab); err != nil {
				return nil, err
			}
		}
	}
	lab, err := a.labForSetup(cmd, pf)
	if err != nil {
		return nil, err
	}
	reconfigure := inst.Force || planFlagsChanged(cmd) || !allInstalled(lab)
	inst.Reporter = a.reporter()
	if err := lab.Install(ctx, inst); err != nil {
		return nil, err
	}
	if reconfigure {
		if _, err := lab.Configure(inst.Reporter); err != nil {
			return nil, err
		}
	}
	return lab, nil
}

func refuseWhileRunning(ctx context.Context, lab *cluster.Lab) error {
	st, err := lab.Status(ctx)
	if err != nil {
		return err
	}
	for _, s := range st {
		if s.Role.Alive() {
			return usageError{fmt.Errorf("the lab is running (%s is %s); stop it with 'amqlab down' before changing its plan", s.Name, s.Role)}
		}
	}
	return nil
}

// upDetached starts the brokers in the background and waits for roles.
func (a *app) upDetached(ctx context.Context, lab *cluster.Lab, o upOptions) error {
	started := time.Now()
	done := a.reporter().Step("Start brokers")
	err := lab.Start(ctx, cluster.StartOptions{Parallel: o.parallel, Detach: true})
	if err == nil {
		err = a.waitUnless(ctx, lab, false)
	}
	done(err)
	if err != nil {
		return fmt.Errorf("%w\nthe brokers that did start keep running: see 'amqlab status', stop them with 'amqlab down'", err)
	}
	st, err := lab.Status(ctx)
	if err != nil {
		return err
	}
	c := a.newConsole(lab)
	a.printSummary(c, lab, st, time.Since(started), o.prefix, o.prefix+"down stops the lab")
	return nil
}

// upForeground starts the brokers as children of this process, streams
// their consoles and role changes, and stops them when asked.
func (a *app) upForeground(ctx context.Context, lab *cluster.Lab, o upOptions) error {
	c := a.newConsole(lab)
	fw, err := lab.NewFollower(nil, 0)
	if err != nil {
		return err
	}
	streamCtx, stopStream := context.WithCancel(context.Background())
	var streams sync.WaitGroup
	streams.Go(func() { _ = fw.Run(streamCtx, c.printLine) })
	streams.Go(func() {
		if err := lab.ServeControl(streamCtx); err != nil {
			c.printNote("brokers started from other terminals will run detached: %v", err)
		}
	})
	started := time.Now()
	summarised := false
	streams.Go(func() {
		_ = lab.Watch(streamCtx, watchInterval, func(e cluster.Event) {
			if e.Kind != cluster.EventSettled {
				c.printEvent(e)
				return
			}
			if !summarised {
				summarised = true
				if st, err := lab.Status(streamCtx); err == nil {
					a.printSummary(c, lab, st, time.Since(started), o.prefix, "Ctrl+C stops the lab")
				}
				return
			}
			c.printNote("%s (failover URLs unchanged)", e)
		})
	})
	stopAll := func() error {
		err := a.stopForeground(c, lab, o.stopTimeout)
		stopStream()
		streams.Wait()
		return err
	}
	if err := lab.Start(ctx, cluster.StartOptions{Parallel: o.parallel}); err != nil {
		stopErr := stopAll()
		if ctx.Err() != nil { // interrupted while starting
			return stopErr
		}
		return errors.Join(err, stopErr)
	}
	why := waitForEnd(ctx, lab)
	if why != nil {
		c.printNote("%v", why)
	}
	return stopAll()
}

// endPoll is how often a foreground up checks that some broker still runs.
const endPoll = 500 * time.Millisecond

// waitForEnd returns when ctx ends (Ctrl+C, SIGTERM) or when no broker runs
// any more, stopped from elsewhere; it says which.
func waitForEnd(ctx context.Context, lab *cluster.Lab) error {
	t := time.NewTicker(endPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		st, err := lab.Status(ctx)
		if err != nil {
			continue // interrupted meanwhile, or a transient read error
		}
		if !anyAlive(st) {
			return errors.New("no broker is running any more; exiting")
		}
	}
}

// stopForeground stops every broker; a second Ctrl+C or SIGTERM kills them
// at once.
func (a *app) stopForeground(c *console, lab *cluster.Lab, timeout time.Duration) error {
	st, err := lab.Status(context.Background())
	if err == nil && !anyAlive(st) {
		return nil
	}
	c.printNote("stopping the lab, slaves first (Ctrl+C again to kill)")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		select {
		case <-sigs:
			c.printNote("killing the brokers")
			cancel()
		case <-ctx.Done():
		}
	}()
	if err := lab.Down(ctx, timeout); err != nil && ctx.Err() == nil {
		return err
	}
	// Killed brokers that are this process's children die with it at the
	// latest; the kill itself was sent by Down.
	return nil
}

func anyAlive(st []cluster.BrokerStatus) bool {
	for _, s := range st {
		if s.Role.Alive() {
			return true
		}
	}
	return false
}

// printSummary says who is master, who waits, how to connect and what to
// try next.
func (a *app) printSummary(c *console, lab *cluster.Lab, st []cluster.BrokerStatus, took time.Duration, prefix, stop string) {
	master, masterDesc := "<master>", "none"
	var slaves, down []string
	for _, s := range st {
		switch s.Role {
		case cluster.RoleMaster:
			master, masterDesc = s.Name, fmt.Sprintf("%s (pid %d)", s.Name, s.Pid)
		case cluster.RoleSlave:
			slaves = append(slaves, s.Name)
		default:
			down = append(down, s.Name+" "+string(s.Role))
		}
	}
	c.printNote("%s in %s: master %s; %s", a.bold("roles settled"), took.Round(100*time.Millisecond), a.green(masterDesc), describeSlaves(slaves))
	if len(down) > 0 {
		c.printNote("not running: %s", strings.Join(down, ", "))
	}
	c.printNote("  OpenWire  %s", lab.FailoverURL("tcp"))
	if lab.Plan().Stomp {
		c.printNote("  STOMP     %s", lab.FailoverURL("stomp"))
	}
	p := prefix
	c.printNote("  try in another terminal: %sstatus · %ssend -n 5 · %sbrowse · %skill %s · %slogs -f", p, p, p, p, master, p)
	c.printNote("  %s", stop)
}

func describeSlaves(slaves []string) string {
	switch len(slaves) {
	case 0:
		return "no slave waiting"
	case 1:
		return "slave " + slaves[0] + " waits for the store lock"
	}
	return "slaves " + strings.Join(slaves, ", ") + " wait for the store lock"
}

// commandPrefix is how to call amqlab for this lab from another terminal:
// a --dir given on the command line must be given there too.
func (a *app) commandPrefix(cmd *cobra.Command) string {
	if cmd.Flags().Changed("dir") {
		return "amqlab --dir " + a.dir + " "
	}
	return "amqlab "
}
