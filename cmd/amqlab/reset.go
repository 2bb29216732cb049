package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func init() { register(newResetCmd) }

func newResetCmd(a *app) *cobra.Command {
	var stopFirst bool
	cmd := &cobra.Command{
		Use:   "reset",
		Short: "Delete the shared store for a clean start",
		Long: `Delete every message and journal of the shared KahaDB store, for a lab that starts
from nothing again. The store's lock file stays: deleting the lock of a store in
use is how two brokers end up both master and the store gets corrupted.

Reset is refused while any process holds the store lock or any broker of the lab
runs (a waiting slave takes the lock the moment it is free); the refusal names the
broker and pid. With --stop the lab is stopped first.`,
		Example: `  amqlab reset --stop && amqlab up`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			lab, err := a.openLab()
			if err != nil {
				return err
			}
			if err := lab.Reset(cmd.Context(), stopFirst); err != nil {
				return err
			}
			fmt.Fprintf(a.out, " %s store %s is empty\n", a.mark(true), lab.Plan().Store)
			return nil
		},
	}
	cmd.Flags().BoolVar(&stopFirst, "stop", false, "stop the lab first")
	return cmd
}
