package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/amqlab/amqlab/cluster"
)

func init() { register(newDownCmd) }

func newDownCmd(a *app) *cobra.Command {
	var purge, yes bool
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "down",
		Short: "Stop every broker; --purge also deletes the lab",
		Long: `Stop every broker of the lab gracefully, slaves first and the master last (SIGTERM,
then SIGKILL after --stop-timeout), wherever they were started from. A foreground
'amqlab up' in another terminal ends once its brokers are gone.

With --purge the lab directory is deleted afterwards: every broker home, the logs
and the shared store when it lies inside the lab. amqlab asks first unless --yes.`,
		Example: `  amqlab down
  amqlab down --purge --yes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			lab, err := a.openLab()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if purge {
				if !yes {
					ok, err := confirm(cmd.InOrStdin(), a.errOut, fmt.Sprintf("Delete the lab %s with every broker home, log and message in it?", lab.Dir()))
					if err != nil {
						return err
					}
					if !ok {
						return errors.New("nothing deleted")
					}
				}
				if err := lab.Purge(ctx, timeout); err != nil {
					return err
				}
				fmt.Fprintf(a.out, " %s lab %s stopped and deleted\n", a.mark(true), lab.Dir())
				return nil
			}
			return a.lifecycle(ctx, nil, "stopped", func(l *cluster.Lab) error { return l.Down(ctx, timeout) })
		},
	}
	cmd.Flags().BoolVar(&purge, "purge", false, "also delete the lab directory")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask before deleting")
	addStopTimeout(cmd, &timeout)
	return cmd
}

// confirm asks a yes/no question on a terminal; without one it refuses, so
// that a script never deletes by accident.
func confirm(in io.Reader, out io.Writer, question string) (bool, error) {
	if f, ok := in.(*os.File); !ok || !isatty.IsTerminal(f.Fd()) {
		return false, errors.New("refusing to delete without a terminal to ask on; add --yes")
	}
	fmt.Fprintf(out, "%s [y/N] ", question)
	answer, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	answer = strings.ToLower(strings.TrimSpace(answer))
	return answer == "y" || answer == "yes", nil
}
