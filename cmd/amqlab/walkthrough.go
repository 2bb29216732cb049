package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/amqlab/amqlab/client"
	"github.com/amqlab/amqlab/scenarios"
)

func init() { register(newWalkthroughCmd) }

func newWalkthroughCmd(a *app) *cobra.Command {
	var o scenarios.WalkthroughOptions
	var pause, asJSON bool
	var pf *planFlags
	cmd := &cobra.Command{
		Use:   "walkthrough",
		Short: "Replay the classic two-broker failover scenario with evidence at every step",
		Long: `Run the whole single-machine master-slave scenario in a fresh lab, from nothing:
install ActiveMQ once per broker and configure distinct ports (with the diff), start
each broker alone, point all at the shared store and connect them with network
connectors, start them together (one master, the others wait), send and browse a
message through the failover URL, stop the master and watch a slave take over with
the same message, and start the old master again as a slave.

Each step says what it does and why, lists the amqlab commands that do the same by
hand, shows the evidence it captured (console lines, listening ports with pids,
message ids, the broker the client reached) and ends with ✓ or ✗. The exit status
is non-zero if any step fails.

The lab lives in a new temporary directory, or in --dir when given on the command
line (it must be new or empty), and is deleted at the end unless --keep.`,
		Example: `  amqlab walkthrough
  amqlab walkthrough --pause                 # wait for Enter between steps
  amqlab walkthrough --driver openwire       # ActiveMQ's own Java client and failover transport
  amqlab walkthrough --json > walkthrough.json
  amqlab walkthrough --dir ./wt --keep       # look around afterwards; remove with 'amqlab --dir ./wt down --purge'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Driver != client.DriverStomp && o.Driver != client.DriverOpenWire {
				return usageError{fmt.Errorf("--driver %q: use %s or %s", o.Driver, client.DriverStomp, client.DriverOpenWire)}
			}
			if cmd.Flags().Changed("dir") {
				o.Dir = a.dir
			}
			o.Plan = pf.options()
			out := a.out
			if asJSON {
				out = a.errOut // the report owns stdout
			}
			o.Reporter = &walkReporter{a: a, w: out, quiet: asJSON && !pause}
			if pause {
				o.Reporter.(*walkReporter).pause = bufio.NewReader(cmd.InOrStdin())
			}
			rep, err := scenarios.Walkthrough(cmd.Context(), o)
			if rep != nil {
				if jerr := a.showReport(asJSON, rep, func() { a.printWalkthroughEnd(rep) }); jerr != nil {
					return jerr
				}
			}
			return err
		},
	}
	pf = addPlanFlags(cmd)
	f := cmd.Flags()
	f.StringVar(&o.Install.Dist, "dist", "", "ActiveMQ archive, home directory, http(s) URL or version (env AMQLAB_DIST)")
	f.StringVar(&o.Driver, "driver", client.DriverStomp, "client: stomp (native failover) or openwire (the install's Java tools)")
	f.BoolVar(&pause, "pause", false, "wait for Enter between steps")
	f.BoolVar(&asJSON, "json", false, "print a machine report (steps with name, ok, evidence, seconds) on stdout")
	f.BoolVar(&o.Keep, "keep", false, "leave the lab and its brokers running instead of deleting it")
	return cmd
}

// walkReporter shows each step as it runs: title, why, commands, evidence
// as it is captured, and the verdict.
type walkReporter struct {
	a     *app
	w     io.Writer
	quiet bool          // --json without --pause: verdicts only
	pause *bufio.Reader // --pause: wait for Enter after each step
}

func (r *walkReporter) StepStarted(s scenarios.Step) {
	if r.quiet {
		return
	}
	fmt.Fprintf(r.w, "\n%s %s\n", r.a.bold(fmt.Sprintf("Step %d/%d", s.Number, s.Of)), r.a.bold(s.Title))
	for _, line := range wrap(s.Why, 88) {
		fmt.Fprintf(r.w, "  %s\n", line)
	}
	fmt.Fprintln(r.w)
	for _, c := range s.Commands {
		fmt.Fprintf(r.w, "  %s %s\n", r.a.dim("$"), c)
	}
	fmt.Fprintln(r.w)
}

func (r *walkReporter) Evidence(_ string, e scenarios.Evidence) {
	if r.quiet {
		return
	}
	broker := ""
	if e.Broker != "" {
		broker = e.Broker + "  "
	}
	fmt.Fprintf(r.w, "  %s %s%s\n", r.a.dim(fmt.Sprintf("%-7s", e.Kind)), broker, e.Text)
}

func (r *walkReporter) StepEnded(s scenarios.Step) {
	verdict := fmt.Sprintf("%s %s %s", r.a.mark(s.OK), s.Name, r.a.dim(fmt.Sprintf("(%.2fs)", s.Seconds)))
	if !s.OK {
		verdict += ": " + s.Error
	}
	if r.quiet {
		fmt.Fprintf(r.w, " %s\n", verdict)
		return
	}
	fmt.Fprintf(r.w, "\n %s\n", verdict)
	if r.pause != nil && s.OK && s.Number < s.Of {
		fmt.Fprintf(r.a.errOut, "%s", r.a.dim("  press Enter for the next step "))
		_, _ = r.pause.ReadString('\n')
	}
}

// printWalkthroughEnd sums the run up and says where the lab is.
func (a *app) printWalkthroughEnd(rep *scenarios.WalkthroughReport) {
	passed := 0
	for _, s := range rep.Steps {
		if s.OK {
			passed++
		}
	}
	fmt.Fprintf(a.out, "\n%s %d of %d steps passed in %.1fs (ActiveMQ %s, %s client)\n",
		a.mark(rep.OK), passed, len(rep.Steps), rep.Seconds, rep.Version, rep.Driver)
	if rep.Kept {
		fmt.Fprintf(a.out, "lab kept in %s; remove it with 'amqlab --dir %s down --purge --yes'\n", rep.Lab, rep.Lab)
	} else {
		fmt.Fprintf(a.out, "lab %s stopped and deleted\n", rep.Lab)
	}
}

// wrap breaks text into lines of at most width characters at spaces.
func wrap(text string, width int) []string {
	var lines []string
	var cur strings.Builder
	for _, word := range strings.Fields(text) {
		if cur.Len() > 0 && cur.Len()+1+len(word) > width {
			lines = append(lines, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(word)
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}
