package main

import (
	"io"
	"testing"

	"github.com/spf13/cobra"
)

// Every command explains itself: a one-line summary, a longer help and
// examples.
func TestEveryCommandHasHelpAndExamples(t *testing.T) {
	root := newRootCmd(&app{out: io.Discard, errOut: io.Discard})
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.Name() == "help" || sub.Hidden {
				continue
			}
			if sub.Parent() != nil && sub.Parent().Name() == "completion" {
				continue // cobra's per-shell completion commands
			}
			if sub.Short == "" || sub.Long == "" || sub.Example == "" {
				t.Errorf("%s: Short, Long and Example must all be set", sub.CommandPath())
			}
			walk(sub)
		}
	}
	walk(root)
}

func TestExitCodes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"version"}, 0},
		{[]string{"no-such-command"}, exitUsage},
		{[]string{"plan", "--no-such-flag"}, exitUsage},
		{[]string{"plan", "--brokers", "1"}, exitFailure},
	} {
		if got := run(tc.args, io.Discard, io.Discard); got != tc.want {
			t.Errorf("amqlab %v exited %d, want %d", tc.args, got, tc.want)
		}
	}
}
