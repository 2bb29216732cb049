package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/amqlab/amqlab/client"
	"github.com/amqlab/amqlab/scenarios"
)

func init() { register(newFailoverCmd) }

func newFailoverCmd(a *app) *cobra.Command {
	var o scenarios.DrillOptions
	var stop, kill, asJSON bool
	cmd := &cobra.Command{
		Use:   "failover",
		Short: "Drill a failover on the running lab and time it",
		Long: `Drill a failover on the running lab: send a persistent marker message through the
failover URL, end the current master (SIGKILL by default, or a graceful stop), and
measure how long it takes until the next master accepts connections and until the
client is connected again. Then browse through the same URL and check that the
marker is still there with the same message id. The old master is started again
after each round, so the lab ends as it began.

--rounds repeats the drill; the table shows every round, then median and maximum.
The exit status is non-zero if a round fails or a marker is lost.`,
		Example: `  amqlab failover                      # one SIGKILL of the master
  amqlab failover --rounds 5 --stop    # five graceful stops
  amqlab failover --driver openwire    # the client is ActiveMQ's own failover transport
  amqlab failover --rounds 3 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if stop && kill {
				return usageError{fmt.Errorf("--kill and --stop exclude each other")}
			}
			if o.Driver != client.DriverStomp && o.Driver != client.DriverOpenWire {
				return usageError{fmt.Errorf("--driver %q: use %s or %s", o.Driver, client.DriverStomp, client.DriverOpenWire)}
			}
			if o.Rounds < 1 {
				return usageError{fmt.Errorf("--rounds %d: run at least one round", o.Rounds)}
			}
			o.Mode = scenarios.ModeKill
			if stop {
				o.Mode = scenarios.ModeStop
			}
			lab, err := a.openLab()
			if err != nil {
				return err
			}
			o.Detach = true // the restarted old master outlives this command
			o.OnRound = func(r scenarios.DrillRound) {
				fmt.Fprintf(a.errOut, " %s round %d: %s → %s in %.3fs, client back after %.3fs\n",
					a.mark(r.OK), r.Round, r.OldMaster, orQuestion(r.NewMaster), r.MasterAccepts, r.ClientReconnected)
			}
			rep, err := scenarios.Drill(cmd.Context(), lab, o)
			if rep != nil {
				if jerr := a.showReport(asJSON, rep, func() { a.printDrill(rep) }); jerr != nil {
					return jerr
				}
			}
			return messagingError(err)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.Rounds, "rounds", 1, "failovers to drill, restarting the old master in between")
	f.BoolVar(&kill, "kill", false, "end the master with SIGKILL, a crash (the default)")
	f.BoolVar(&stop, "stop", false, "stop the master gracefully instead of killing it")
	f.StringVar(&o.Driver, "driver", client.DriverStomp, "client: stomp (native failover) or openwire (the install's Java tools)")
	f.StringVarP(&o.Queue, "destination", "d", scenarios.DefaultDrillQueue, "queue for the marker messages; they are removed at the end")
	f.BoolVar(&asJSON, "json", false, "print the rounds and their statistics as JSON")
	return cmd
}

// printDrill shows the rounds as a table and the statistics below it.
func (a *app) printDrill(rep *scenarios.DrillReport) {
	rows := [][]string{{"ROUND", "MODE", "OLD MASTER", "NEW MASTER", "MASTER ACCEPTS", "CLIENT BACK", "MARKER"}}
	for _, r := range rep.Rounds {
		marker := "lost"
		if r.MarkerKept {
			marker = "kept " + r.MarkerID
		}
		rows = append(rows, []string{strconv.Itoa(r.Round), r.Mode, r.OldMaster, orQuestion(r.NewMaster),
			seconds(r.MasterAccepts), seconds(r.ClientReconnected), marker})
	}
	fmt.Fprintf(a.out, "\nclient %s: %s\n\n", rep.Driver, rep.URL)
	printTable(a.out, rows, func(row, col int, cell string) string {
		if row > 0 && col == 6 {
			return a.mark(rep.Rounds[row-1].MarkerKept) + " " + cell
		}
		return cell
	})
	fmt.Fprintf(a.out, "\nmaster accepts    %s\nclient back       %s\nmarkers lost      %d of %d\nlock interval     %d ms\n",
		spread(rep.MasterAccepts), spread(rep.ClientReconnected), rep.MarkersLost, len(rep.Rounds), rep.LockInterval)
}
