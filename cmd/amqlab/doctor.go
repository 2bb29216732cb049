package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/amqlab/amqlab/cluster"
)

func init() { register(newDoctorCmd) }

func newDoctorCmd(a *app) *cobra.Command {
	var asJSON bool
	var pf *planFlags
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check that this machine can run the lab",
		Long: `Check what the lab needs before anything starts, each with a ✓ or ✗, what was
found and what to do about a failure:

  java              found (JAVA_HOME, else PATH) and new enough for the installed ActiveMQ
  port N            every planned port is free on the listen host; a busy one names the
                    process that holds it (a port held by this lab's own broker is fine)
  store file locks  the store's filesystem refuses a second lock on a file, which is
                    what makes exactly one broker master
  disk space        at least 500 MiB free for the lab and the store

It works before install, from the plan the flags describe, and exits non-zero when
any check fails.`,
		Example: `  amqlab doctor
  amqlab doctor --port 7000 --store /mnt/shared/kahadb
  amqlab doctor --json | jq '.[] | select(.ok | not)'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			plan, err := a.previewPlan(cmd, pf)
			if err != nil {
				return err
			}
			var dist *cluster.Distribution
			if lab, err := cluster.Open(a.dir); err == nil {
				dist = lab.Dist()
			} else if !errors.Is(err, cluster.ErrNoLab) {
				return err
			}
			checks := cluster.Diagnose(cmd.Context(), plan, dist)
			if asJSON {
				if err := a.printJSON(checks); err != nil {
					return err
				}
			} else {
				a.printChecks(checks)
			}
			return checksError(checks)
		},
	}
	pf = addPlanFlags(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the checks as a JSON array")
	return cmd
}

func (a *app) printChecks(checks []cluster.Check) {
	for _, c := range checks {
		fmt.Fprintf(a.out, " %s %s: %s\n", a.mark(c.OK), c.Name, c.Detail)
		if !c.OK && c.Fix != "" {
			fmt.Fprintf(a.out, "   %s %s\n", a.dim("fix:"), c.Fix)
		}
	}
}

// checksError turns failed checks into the command's one-line error.
func checksError(checks []cluster.Check) error {
	if cluster.AllOK(checks) {
		return nil
	}
	failed := 0
	for _, c := range checks {
		if !c.OK {
			failed++
		}
	}
	return fmt.Errorf("%d of %d checks failed", failed, len(checks))
}
