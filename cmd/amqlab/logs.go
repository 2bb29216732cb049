package main

import (
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/amqlab/amqlab/cluster"
)

func init() { register(newLogsCmd) }

func newLogsCmd(a *app) *cobra.Command {
	var follow bool
	var lines int
	cmd := &cobra.Command{
		Use:   "logs [broker...]",
		Short: "Show the brokers' console output",
		Long: `Show what the brokers printed, every line prefixed with the broker's name. Each
broker's console goes to <lab>/logs/<broker>.log whoever started it, so this works
from any terminal, also while a foreground 'amqlab up' runs. With -f new lines are
shown as they come, from every broker interleaved, until Ctrl+C.`,
		Example: `  amqlab logs                    # the last 50 lines of every broker
  amqlab logs amq61617 -n 200    # more of one broker
  amqlab logs -f -n 0            # only what comes from now on`,
		RunE: func(cmd *cobra.Command, names []string) error {
			lab, err := a.openLab()
			if err != nil {
				return err
			}
			c := a.newConsole(lab)
			if follow {
				return lab.Follow(cmd.Context(), names, lines, c.printLine)
			}
			tail, err := lab.Tail(names, lines)
			if err != nil {
				return err
			}
			for _, l := range tail {
				c.printLine(l)
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "keep showing new lines until Ctrl+C")
	cmd.Flags().IntVarP(&lines, "lines", "n", 50, "how many of the last lines of each broker to show first")
	return cmd
}

// console writes broker output and amqlab's own events as one stream: each
// line starts with the broker's name, aligned and in the broker's colour,
// then "|" for what the broker printed or "▸" for what amqlab saw happen.
type console struct {
	a     *app
	mu    sync.Mutex
	color map[string]int
	width int
}

func (a *app) newConsole(lab *cluster.Lab) *console {
	c := &console{a: a, color: map[string]int{}, width: len("amqlab")}
	for i, b := range lab.Plan().Brokers {
		c.color[b.Name] = i
		c.width = max(c.width, len(b.Name))
	}
	return c
}

func (c *console) prefix(name string) string {
	pad := strings.Repeat(" ", max(c.width-len(name), 0))
	if i, ok := c.color[name]; ok {
		return c.a.paint(i, name) + pad
	}
	return c.a.bold(name) + pad
}

// printLine shows one line a broker printed.
func (c *console) printLine(l cluster.LogLine) {
	c.write(c.a.out, c.prefix(l.Broker)+" | "+l.Text)
}

// printEvent shows something amqlab saw happen to a broker.
func (c *console) printEvent(e cluster.Event) {
	text := e.String()
	switch e.Kind {
	case cluster.EventMaster:
		text = c.a.green(text)
	case cluster.EventFailed:
		text = c.a.red(text)
	}
	c.write(c.a.out, c.prefix(e.Broker)+" "+c.a.bold("▸")+" "+text)
	if e.Kind == cluster.EventFailed {
		for _, l := range e.Lines {
			c.write(c.a.out, c.prefix(e.Broker)+" "+c.a.bold("▸")+"   "+c.a.dim(l))
		}
	}
}

// printNote shows a line of amqlab's own, not about one broker.
func (c *console) printNote(format string, args ...any) {
	c.write(c.a.out, c.prefix("amqlab")+" "+c.a.bold("▸")+" "+fmt.Sprintf(format, args...))
}

func (c *console) write(w io.Writer, line string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintln(w, line)
}
