package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/amqlab/amqlab/client"
)

func init() { register(newSendCmd) }

// sendFlags are send's own flags.
type sendFlags struct {
	count      int
	body       string
	file       string
	size       int
	persistent bool
	ttl        time.Duration
	priority   int
	headers    []string
}

func newSendCmd(a *app) *cobra.Command {
	var cf connFlags
	var sf sendFlags
	cmd := &cobra.Command{
		Use:   "send",
		Short: "Put messages on a queue or topic through the failover URL",
		Long: `Send messages through the lab's failover URL, like the article's client that puts one
message on queue 'test' before the master is stopped.

A message counts as sent only when a broker confirmed it. The native STOMP client
keeps several messages in flight; if the connection is lost it fails over to the
next broker and sends the unconfirmed ones again, so a message may arrive twice but
is never lost (the summary says how many were resent). With --driver openwire the
install's own Java producer tool sends them through ActiveMQ's failover transport.

The body is --body, the contents of --file, or generated text of --size bytes.`,
		Example: `  amqlab send                          # one persistent message to queue 'test'
  amqlab send -n 10000 --size 1024     # a load for a failover test
  amqlab send -d topic://news --body 'hello' --persistent=false
  amqlab send --header JMSXGroupID=a --priority 9 --ttl 1m
  amqlab send --driver openwire -n 5   # through ActiveMQ's Java failover transport
  amqlab send --url 'failover:(stomp://127.0.0.1:61613,stomp://127.0.0.1:62613)?randomize=false'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			msgs, err := sf.messages(cmd)
			if err != nil {
				return usageError{err}
			}
			c, dest, err := a.dial(cmd, &cf)
			if err != nil {
				return err
			}
			defer c.Close()
			res, err := c.Send(cmd.Context(), dest.String(), msgs, client.SendOptions{Persistent: sf.persistent, TTL: sf.ttl})
			if cf.json {
				if jerr := a.printJSON(sendReport{Destination: dest.String(), Persistent: sf.persistent, SendResult: res, Rate: res.Rate()}); jerr != nil {
					return jerr
				}
			} else {
				a.printSent(dest, sf.persistent, res, len(msgs))
			}
			return a.failed(err)
		},
	}
	cf.register(cmd)
	fl := cmd.Flags()
	fl.IntVarP(&sf.count, "count", "n", 1, "number of messages")
	fl.StringVar(&sf.body, "body", "", "message body text")
	fl.StringVar(&sf.file, "file", "", "read the message body from this file")
	fl.IntVar(&sf.size, "size", 0, "generate a text body of this many bytes")
	fl.BoolVar(&sf.persistent, "persistent", true, "persistent messages survive a broker crash (--persistent=false for non-persistent)")
	fl.DurationVar(&sf.ttl, "ttl", 0, "time to live, e.g. 30s; 0 never expires")
	fl.IntVar(&sf.priority, "priority", -1, "JMS priority 0-9; -1 leaves it to the broker (4)")
	fl.StringArrayVar(&sf.headers, "header", nil, "header or message property key=value (repeatable)")
	fl.IntVar(&cf.window, "window", client.DefaultWindow, "native driver: messages awaiting confirmation at once")
	return cmd
}

// defaultBody is sent when no body is given: one arbitrary text message,
// as in the article.
const defaultBody = "amqlab test message"

// messages builds what to send from the flags.
func (sf *sendFlags) messages(cmd *cobra.Command) ([]client.Message, error) {
	if sf.count < 1 {
		return nil, fmt.Errorf("--count %d: send at least one message", sf.count)
	}
	if sf.size < 0 {
		return nil, fmt.Errorf("--size %d must not be negative", sf.size)
	}
	if sf.ttl < 0 {
		return nil, fmt.Errorf("--ttl %s must not be negative", sf.ttl)
	}
	given := 0
	for _, name := range []string{"body", "file", "size"} {
		if cmd.Flags().Changed(name) {
			given++
		}
	}
	if given > 1 {
		return nil, fmt.Errorf("give one of --body, --file and --size")
	}
	var body []byte
	switch {
	case cmd.Flags().Changed("body"):
		body = []byte(sf.body)
	case sf.file != "":
		b, err := os.ReadFile(sf.file)
		if err != nil {
			return nil, fmt.Errorf("--file: %w", err)
		}
		body = b
	case cmd.Flags().Changed("size"):
		body = client.TextBody(sf.size)
	default:
		body = []byte(defaultBody)
	}
	headers := map[string]string{}
	for _, h := range sf.headers {
		k, v, ok := strings.Cut(h, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--header %q: want key=value", h)
		}
		headers[k] = v
	}
	if cmd.Flags().Changed("priority") {
		if sf.priority < 0 || sf.priority > 9 {
			return nil, fmt.Errorf("--priority %d: want 0 to 9", sf.priority)
		}
		headers["priority"] = fmt.Sprint(sf.priority)
	}
	if len(headers) == 0 {
		headers = nil
	}
	msgs := make([]client.Message, sf.count)
	for i := range msgs {
		msgs[i] = client.Message{Body: body, Headers: headers}
	}
	return msgs, nil
}

// sendReport is send's --json output.
type sendReport struct {
	Destination string `json:"destination"`
	Persistent  bool   `json:"persistent"`
	client.SendResult
	Rate float64 `json:"rate_per_s"`
}

func (a *app) printSent(dest client.Destination, persistent bool, res client.SendResult, want int) {
	kind := "persistent"
	if !persistent {
		kind = "non-persistent"
	}
	line := fmt.Sprintf("sent %d of %d %s message(s) to %s in %s", res.Sent, want, kind, dest, res.Elapsed.Round(time.Millisecond))
	if res.Sent >= 100 {
		line += fmt.Sprintf(" (%.0f msg/s)", res.Rate())
	}
	if res.Broker != "" {
		line += " via " + res.Broker
	}
	fmt.Fprintf(a.out, " %s %s\n", a.mark(res.Sent == want), line)
	if res.Failovers > 0 || res.Resent > 0 {
		fmt.Fprintf(a.out, "   %d failover(s); %d message(s) resent after a reconnect, so the queue may hold up to %d duplicate(s)\n",
			res.Failovers, res.Resent, res.Resent)
	}
}
