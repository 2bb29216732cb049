package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/amqlab/amqlab/client"
)

func init() { register(newBrowseCmd) }

func newBrowseCmd(a *app) *cobra.Command {
	var cf connFlags
	var showBody bool
	var limit int
	cmd := &cobra.Command{
		Use:   "browse",
		Short: "List a queue's messages without taking them",
		Long: `Browse a queue through the lab's failover URL and print one numbered line per
message: index, message id, type, timestamp and size, then the count. This is the
article's check: browse, stop or kill the master, browse again, and see the same
message ids served by the broker that took over.

The native client browses with STOMP (browser:true); with --driver openwire the
install's Java browse tool does it through ActiveMQ's failover transport. A browse
interrupted by a failover starts again on the next broker, so its list is whole.`,
		Example: `  amqlab browse
  amqlab browse -d queue://orders --body
  amqlab browse --json | jq -r '.messages[].id'
  amqlab browse --driver openwire`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 0 {
				return usageError{fmt.Errorf("--count %d must not be negative", limit)}
			}
			if d, err := client.ParseDestination(cf.dest); err == nil && d.Kind != client.Queue {
				return usageError{fmt.Errorf("%s: only queues can be browsed; a topic keeps no messages to look at (use 'amqlab consume')", d)}
			}
			c, dest, err := a.dial(cmd, &cf)
			if err != nil {
				return err
			}
			defer c.Close()
			msgs, err := c.Browse(cmd.Context(), dest.String())
			if err != nil {
				return a.failed(err)
			}
			shown := msgs
			if limit > 0 && len(shown) > limit {
				shown = shown[:limit]
			}
			if cf.json {
				return a.printJSON(a.browseReport(dest, msgs, shown, showBody))
			}
			for _, m := range shown {
				fmt.Fprintln(a.out, messageLine(m))
				if showBody {
					fmt.Fprintln(a.out, bodyBlock(m.Body))
				}
			}
			fmt.Fprintf(a.out, "%d message(s) on %s", len(msgs), dest)
			if len(shown) < len(msgs) {
				fmt.Fprintf(a.out, " (first %d shown)", len(shown))
			}
			fmt.Fprintln(a.out)
			return nil
		},
	}
	cf.register(cmd)
	cmd.Flags().BoolVar(&showBody, "body", false, "show each message's body")
	cmd.Flags().IntVarP(&limit, "count", "n", 0, "show at most this many messages (0: all); the total is still counted")
	return cmd
}

// browseReport is browse's --json output.
type browseReport struct {
	Destination string        `json:"destination"`
	Count       int           `json:"count"`
	Broker      string        `json:"broker,omitempty"`
	Messages    []jsonMessage `json:"messages"`
}

func (a *app) browseReport(dest client.Destination, all, shown []client.Received, withBody bool) browseReport {
	r := browseReport{Destination: dest.String(), Count: len(all), Messages: []jsonMessage{}}
	for _, m := range shown {
		r.Messages = append(r.Messages, toJSON(m, withBody))
		r.Broker = m.Broker
	}
	return r
}
