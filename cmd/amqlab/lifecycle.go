package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/amqlab/amqlab/cluster"
)

func init() {
	register(newStopCmd)
	register(newKillCmd)
	register(newStartCmd)
	register(newRestartCmd)
}

func newStopCmd(a *app) *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "stop [broker...]",
		Short: "Stop brokers gracefully, like Ctrl+C in their console",
		Long: `Stop brokers the way Ctrl+C in a broker's console does: SIGTERM, so the broker
closes its connectors, releases the store lock and exits; after --stop-timeout it is
killed. Without names every broker stops, slaves first, so that mastership is not
handed around on the way down. Stopping the master lets a slave take over: watch it
with 'amqlab status' or in a foreground 'amqlab up'.`,
		Example: `  amqlab stop amq61616           # graceful failover to amq61617
  amqlab stop                    # the whole lab (like 'amqlab down')`,
		RunE: func(cmd *cobra.Command, names []string) error {
			return a.lifecycle(cmd.Context(), names, "stopped", func(lab *cluster.Lab) error {
				return lab.Stop(cmd.Context(), timeout, names...)
			})
		},
	}
	addStopTimeout(cmd, &timeout)
	return cmd
}

func newKillCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "kill [broker...]",
		Short: "Kill brokers with SIGKILL: a crash",
		Long: `Kill brokers with SIGKILL, as a power cut or an OOM killer would: no shutdown, the
kernel drops the store lock when the JVM is gone, and a slave takes over after at
most its lock retry interval. Without names every broker is killed.`,
		Example: `  amqlab kill amq61616           # crash the master
  amqlab status                  # amq61617 is master now`,
		RunE: func(cmd *cobra.Command, names []string) error {
			return a.lifecycle(cmd.Context(), names, "killed", func(lab *cluster.Lab) error {
				return lab.Kill(cmd.Context(), names...)
			})
		},
	}
	return cmd
}

func newStartCmd(a *app) *cobra.Command {
	var parallel, noWait bool
	cmd := &cobra.Command{
		Use:   "start [broker...]",
		Short: "Start stopped brokers again",
		Long: `Start brokers that are not running; without names every stopped broker starts. A
broker started while another holds the store lock becomes a slave: restarting a
crashed master does not take mastership back. When a foreground 'amqlab up' runs for
the lab, it starts the brokers for you, so they show in its stream and end with it;
otherwise they run in the background. The command returns when the started brokers
are master or slave (unless --no-wait).`,
		Example: `  amqlab start amq61616          # the old master comes back as slave
  amqlab start                   # everything that is stopped`,
		RunE: func(cmd *cobra.Command, names []string) error {
			return a.lifecycle(cmd.Context(), names, "started", func(lab *cluster.Lab) error {
				opts := cluster.StartOptions{Brokers: names, Parallel: parallel, Detach: true, ViaSupervisor: true}
				if err := lab.Start(cmd.Context(), opts); err != nil {
					return err
				}
				return a.waitUnless(cmd.Context(), lab, noWait)
			})
		},
	}
	cmd.Flags().BoolVar(&parallel, "parallel", false, "start all at once and let the fastest take the lock")
	cmd.Flags().BoolVar(&noWait, "no-wait", false, "return at once instead of waiting for roles")
	return cmd
}

func newRestartCmd(a *app) *cobra.Command {
	var timeout time.Duration
	var noWait bool
	cmd := &cobra.Command{
		Use:   "restart [broker...]",
		Short: "Stop brokers gracefully and start them again",
		Long: `Stop brokers (SIGTERM, SIGKILL after --stop-timeout) and start them again in the
background. Restarting the master hands mastership to a slave; the restarted
broker comes back as slave.`,
		Example: `  amqlab restart amq61616
  amqlab restart                 # the whole lab`,
		RunE: func(cmd *cobra.Command, names []string) error {
			return a.lifecycle(cmd.Context(), names, "restarted", func(lab *cluster.Lab) error {
				opts := cluster.StartOptions{Brokers: names, Detach: true, ViaSupervisor: true}
				if err := lab.Restart(cmd.Context(), timeout, opts); err != nil {
					return err
				}
				return a.waitUnless(cmd.Context(), lab, noWait)
			})
		},
	}
	addStopTimeout(cmd, &timeout)
	cmd.Flags().BoolVar(&noWait, "no-wait", false, "return at once instead of waiting for roles")
	return cmd
}

func addStopTimeout(cmd *cobra.Command, d *time.Duration) {
	cmd.Flags().DurationVar(d, "stop-timeout", cluster.DefaultStopTimeout, "how long a broker may take to stop before it is killed")
}

// lifecycle runs one operation on the lab and shows each broker's state
// before and after it.
func (a *app) lifecycle(ctx context.Context, names []string, verb string, op func(*cluster.Lab) error) error {
	lab, err := a.openLab()
	if err != nil {
		return err
	}
	before, err := lab.Status(ctx)
	if err != nil {
		return err
	}
	opErr := op(lab)
	after, err := lab.Status(ctx)
	if err != nil {
		return err
	}
	a.printChanges(before, after, names, verb)
	return opErr
}

// printChanges lists the brokers an operation touched, one line each, and
// how the others' roles moved meanwhile (a slave taking over, say).
func (a *app) printChanges(before, after []cluster.BrokerStatus, names []string, verb string) {
	for i, s := range after {
		was := before[i]
		if was.Pid == s.Pid {
			if len(names) > 0 && !slices.Contains(names, s.Name) && was.Role == s.Role {
				continue
			}
			change := ""
			if was.Role != s.Role {
				change = fmt.Sprintf(" now (was %s)", was.Role)
			}
			fmt.Fprintf(a.out, " %s %s is %s%s\n", a.dim("·"), a.paint(i, s.Name), a.paintRole(s.Role, string(s.Role)), change)
			continue
		}
		from := string(was.Role)
		if was.Pid != 0 {
			from += fmt.Sprintf(", pid %d", was.Pid)
		}
		to := string(s.Role)
		if s.Pid != 0 {
			to += fmt.Sprintf(", pid %d", s.Pid)
		}
		fmt.Fprintf(a.out, " %s %s %s (was %s, now %s)\n", a.mark(s.Role != cluster.RoleFailed), a.paint(i, s.Name), verb, from, a.paintRole(s.Role, to))
	}
}

// settleTimeout bounds waiting for roles after a start from the CLI.
const settleTimeout = 2 * time.Minute

func (a *app) waitUnless(ctx context.Context, lab *cluster.Lab, noWait bool) error {
	if noWait {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, settleTimeout)
	defer cancel()
	_, err := lab.WaitSettled(ctx)
	return err
}
