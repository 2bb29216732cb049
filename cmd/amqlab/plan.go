package main

import (
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/amqlab/amqlab/cluster"
)

func init() { register(newPlanCmd) }

func newPlanCmd(a *app) *cobra.Command {
	var asJSON bool
	var pf *planFlags
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show the lab's brokers, ports and directories",
		Long: `Show the lab plan: each broker's name, OpenWire, STOMP and web-console ports, its
home directory, the shared store and the lock settings. In a directory that holds
a lab, the recorded plan is shown (flags you pass show what it would become);
elsewhere the plan the flags describe is shown. Nothing is written.`,
		Example: `  amqlab plan
  amqlab plan --brokers 3 --port 7000 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.showPreview(cmd, pf, asJSON)
		},
	}
	pf = addPlanFlags(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the plan as JSON")
	return cmd
}

// previewPlan computes the plan the command line describes without saving it.
func (a *app) previewPlan(cmd *cobra.Command, pf *planFlags) (*cluster.Plan, error) {
	lab, err := cluster.Open(a.dir)
	switch {
	case errors.Is(err, cluster.ErrNoLab):
		return cluster.NewPlan(a.dir, pf.options())
	case err != nil:
		return nil, err
	case !planFlagsChanged(cmd):
		return lab.Plan(), nil
	}
	merged := mergePlanFlags(cmd, pf, cluster.OptionsFromPlan(lab.Plan()))
	return cluster.NewPlan(a.dir, merged)
}

// printPlan writes the plan as a short table.
func (a *app) printPlan(p *cluster.Plan) {
	fmt.Fprintf(a.out, "lab    %s\nstore  %s (shared KahaDB; lock retried every %d ms)\nhost   %s\n\n", p.Dir, p.Store, p.LockInterval, p.Host)
	tw := tabwriter.NewWriter(a.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "BROKER\tOPENWIRE\tSTOMP\tWEB\tHOME")
	for i, b := range p.Brokers {
		stomp := "-"
		if b.StompPort != 0 {
			stomp = fmt.Sprint(b.StompPort)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%s\n", a.paint(i, b.Name), b.OpenWirePort, stomp, b.WebPort, b.Home)
	}
	tw.Flush()
}
