package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/amqlab/amqlab/client"
)

func init() { register(newConsumeCmd) }

func newConsumeCmd(a *app) *cobra.Command {
	var cf connFlags
	var showBody bool
	var count int
	var idle time.Duration
	cmd := &cobra.Command{
		Use:   "consume",
		Short: "Take messages off a queue or topic, acknowledging each once printed",
		Long: `Consume messages through the lab's failover URL. Each message is printed (index,
message id, type, timestamp, size) and acknowledged only after that, so a crash
between the two leaves it on the queue. After a failover such a message comes again
(as may messages whose acknowledgement the crashed master had not stored): its line
is marked 'duplicate' and the summary counts it.

Consuming stops after --count messages, or when none arrived for --idle. With
--driver openwire the install's Java consumer tool takes them (it needs --count and
reports bodies only; it acknowledges each message right after logging it).`,
		Example: `  amqlab consume                    # drain queue 'test'
  amqlab consume -n 10 --body
  amqlab consume -d topic://news --idle 0      # wait for messages until Ctrl+C
  amqlab consume --json | jq -r .id`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if count < 0 || idle < 0 {
				return usageError{fmt.Errorf("--count and --idle must not be negative")}
			}
			c, dest, err := a.dial(cmd, &cf)
			if err != nil {
				return err
			}
			defer c.Close()
			enc := json.NewEncoder(a.out)
			res, err := c.Consume(cmd.Context(), dest.String(), client.ConsumeOptions{Max: count, Idle: idle}, func(m client.Received) error {
				if cf.json {
					return enc.Encode(toJSON(m, showBody))
				}
				if _, err := fmt.Fprintln(a.out, messageLine(m)); err != nil {
					return err
				}
				if showBody {
					_, err := fmt.Fprintln(a.out, bodyBlock(m.Body))
					return err
				}
				return nil
			})
			if errors.Is(err, client.ErrNotSupported) {
				return usageError{err}
			}
			summary := fmt.Sprintf("%d message(s) consumed from %s in %s", res.Received, dest, res.Elapsed.Round(time.Millisecond))
			if res.Duplicates > 0 || res.Redelivered > 0 || res.Failovers > 0 {
				summary += fmt.Sprintf("; %d duplicate(s), %d flagged redelivered, %d failover(s)", res.Duplicates, res.Redelivered, res.Failovers)
			}
			if cf.json {
				fmt.Fprintln(a.errOut, summary) // stdout stays one JSON object per message
			} else {
				fmt.Fprintln(a.out, summary)
			}
			return a.failed(err)
		},
	}
	cf.register(cmd)
	cmd.Flags().BoolVar(&showBody, "body", false, "show each message's body")
	cmd.Flags().IntVarP(&count, "count", "n", 0, "stop after this many messages (0: until idle)")
	cmd.Flags().DurationVar(&idle, "idle", 2*time.Second, "stop when no message arrived for this long (0: never)")
	return cmd
}
