package main

import (
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/amqlab/amqlab/client"
	"github.com/amqlab/amqlab/scenarios"
)

func init() { register(newChaosCmd) }

func newChaosCmd(a *app) *cobra.Command {
	var o scenarios.ChaosOptions
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "chaos",
		Short: "Crash the master again and again under load and prove no acknowledged message is lost",
		Long: `Run a producer that sends numbered persistent messages through the failover URL
without pause while, every --interval, the current master is killed (--mode kill, a
SIGKILL) or stopped (--mode stop) and then started again. After --rounds failovers
the producer stops and a consumer drains the queue.

Every number is accounted for: sent, acknowledged (the broker's receipt arrived),
received, lost (acknowledged but never received: must be 0), duplicates (allowed:
unconfirmed messages are sent again after a failover), out of order, the longest
producer stall per failover and the failover times. The exit status is non-zero if
any acknowledged message was lost.

--driver openwire uses ActiveMQ's own Java producer and failover transport; its
tool sends one body per run, so it sends one numbered message per JVM and far fewer
messages. --non-persistent sends messages the broker keeps in memory only: they die
with the master, so that run must report loss, which shows that the check can fail.`,
		Example: `  amqlab chaos                          # 5 SIGKILLs, 2 s apart
  amqlab chaos --rounds 20 --interval 1s --mode stop
  amqlab chaos --driver openwire --rounds 3
  amqlab chaos --non-persistent --rounds 1   # must report loss
  amqlab chaos --json > chaos.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Driver != client.DriverStomp && o.Driver != client.DriverOpenWire {
				return usageError{fmt.Errorf("--driver %q: use %s or %s", o.Driver, client.DriverStomp, client.DriverOpenWire)}
			}
			if o.Mode != scenarios.ModeKill && o.Mode != scenarios.ModeStop {
				return usageError{fmt.Errorf("--mode %q: use %s or %s", o.Mode, scenarios.ModeKill, scenarios.ModeStop)}
			}
			if o.Rounds < 1 || o.Interval <= 0 || o.Batch < 0 {
				return usageError{fmt.Errorf("--rounds must be at least 1, --interval positive and --batch not negative")}
			}
			lab, err := a.openLab()
			if err != nil {
				return err
			}
			o.Detach = true
			pl := &progressLine{a: a}
			o.OnProgress = pl.show
			o.OnRound = func(r scenarios.ChaosRound) {
				pl.clear()
				fmt.Fprintf(a.errOut, " %s failover %d: %s → %s in %.3fs\n", a.mark(true), r.Round, r.OldMaster, r.NewMaster, r.Failover)
			}
			rep, err := scenarios.Chaos(cmd.Context(), lab, o)
			pl.clear()
			if rep != nil {
				if jerr := a.showReport(asJSON, rep, func() { a.printChaos(rep) }); jerr != nil {
					return jerr
				}
			}
			return messagingError(err)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.Rounds, "rounds", 5, "failovers before the producer stops")
	f.DurationVar(&o.Interval, "interval", 2*time.Second, "production between failovers")
	f.StringVar(&o.Mode, "mode", scenarios.ModeKill, "how the master ends: kill (SIGKILL) or stop (graceful)")
	f.StringVar(&o.Driver, "driver", client.DriverStomp, "client: stomp (native failover) or openwire (the install's Java tools)")
	f.StringVarP(&o.Queue, "destination", "d", scenarios.DefaultChaosQueue, "queue for the numbered messages; it is drained at the end")
	f.IntVar(&o.Batch, "batch", 0, "messages per send (default 100 for stomp, 1 for openwire)")
	f.BoolVar(&o.NonPersistent, "non-persistent", false, "unsafe on purpose: send non-persistent messages, which must show loss")
	f.BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}

// progressLine keeps one status line up to date on a terminal; elsewhere
// it stays silent, so logs get only the per-failover lines.
type progressLine struct {
	a     *app
	mu    sync.Mutex
	shown bool
}

func (p *progressLine) show(s scenarios.ChaosProgress) {
	if !p.a.tty {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	line := fmt.Sprintf("   %s · failover %d/%d · master %s · sent %d · acknowledged %d · received %d · %.0fs",
		s.Phase, s.Round, s.Rounds, orQuestion(s.Master), s.Sent, s.Acknowledged, s.Received, s.Elapsed.Seconds())
	fmt.Fprintf(p.a.errOut, "\r\x1b[K%s", p.a.dim(line))
	p.shown = true
}

func (p *progressLine) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.a.errOut, "\r\x1b[K")
		p.shown = false
	}
}

// printChaos shows the accounting, the failover statistics and the rounds.
func (a *app) printChaos(rep *scenarios.ChaosReport) {
	kind := "persistent"
	if !rep.Persistent {
		kind = "NON-persistent"
	}
	fmt.Fprintf(a.out, "\nclient %s (%s messages, %s): %s\n\n", rep.Driver, kind, rep.Queue, rep.URL)
	lost := strconv.Itoa(rep.Lost)
	if rep.Lost > 0 {
		lost = a.red(fmt.Sprintf("%d  first: %v", rep.Lost, rep.LostSeqs))
	}
	rows := [][]string{
		{"sent", strconv.Itoa(rep.Sent)},
		{"acknowledged", strconv.Itoa(rep.Acknowledged)},
		{"received", fmt.Sprintf("%d (%d deliveries)", rep.Received, rep.Deliveries)},
		{"lost", lost},
		{"duplicates", strconv.Itoa(rep.Duplicates)},
		{"out of order", strconv.Itoa(rep.OutOfOrder)},
		{"received unacknowledged", strconv.Itoa(rep.Unacknowledged)},
		{"failover", spread(rep.Failover)},
		{"longest producer stall", spread(rep.Stall)},
		{"producer reconnects", strconv.Itoa(rep.ProducerFailovers)},
	}
	if !rep.Drained {
		for _, r := range rows[2:7] {
			r[1] = "- (not drained)"
		}
	}
	printTable(a.out, rows, func(_, col int, cell string) string { return cell })
	fmt.Fprintln(a.out)
	table := [][]string{{"FAILOVER", "OLD MASTER", "NEW MASTER", "MASTER ACCEPTS", "NO MASTER", "PRODUCER STALL", "ACKNOWLEDGED BEFORE"}}
	for _, r := range rep.Rounds {
		table = append(table, []string{strconv.Itoa(r.Round), r.OldMaster, r.NewMaster,
			seconds(r.Failover), seconds(r.NoMaster), seconds(r.Stall), strconv.Itoa(r.AcknowledgedBefore)})
	}
	printTable(a.out, table, func(_, _ int, cell string) string { return cell })
	verdict := fmt.Sprintf("no acknowledged message lost in %d failovers (%.1fs)", len(rep.Rounds), rep.Seconds)
	switch {
	case !rep.Drained:
		verdict = "the run ended before the queue was drained: nothing can be said about loss"
	case !rep.OK:
		verdict = fmt.Sprintf("%d acknowledged messages lost", rep.Lost)
	}
	fmt.Fprintf(a.out, "\n%s %s\n", a.mark(rep.OK), verdict)
}
