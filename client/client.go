package client

import (
	"context"
	"fmt"
	"io"
	"time"
)

// Drivers.
const (
	DriverStomp    = "stomp"    // native STOMP with its own failover
	DriverOpenWire = "openwire" // the install's Java client tools
)

// Client talks to a broker group through one URL. Operations reconnect by
// the URL's policy; a Client serves one operation at a time.
type Client interface {
	// Send puts msgs on dest and returns when every one is confirmed by a
	// broker, or on error with what was confirmed so far.
	Send(ctx context.Context, dest string, msgs []Message, opts SendOptions) (SendResult, error)
	// Browse lists a queue's messages without taking them.
	Browse(ctx context.Context, dest string) ([]Received, error)
	// Consume takes messages from dest, calling handle for each and
	// acknowledging it once handle returns nil. A handle error stops
	// consuming and leaves that message on the queue.
	Consume(ctx context.Context, dest string, opts ConsumeOptions, handle func(Received) error) (ConsumeResult, error)
	Close() error
}

// Message is one message to send.
type Message struct {
	Body []byte
	// Headers become STOMP headers, which ActiveMQ turns into JMS headers
	// (priority, JMSXGroupID, …) or message properties.
	Headers map[string]string
}

// SendOptions apply to every message of one Send.
type SendOptions struct {
	Persistent bool          // survive a broker restart; the article's client sends persistent messages
	TTL        time.Duration // time to live; 0 never expires
	// OnSent, if set, is called for each message when a broker confirms it,
	// from the sending goroutine (keep it short). The openwire driver only
	// knows totals and never calls it.
	OnSent func(Sent)
}

// Sent is the confirmation of one message.
type Sent struct {
	Index    int       // position in the msgs given to Send
	Attempts int       // 1, or more when it was resent after a reconnect
	Broker   string    // URL of the broker that confirmed it
	At       time.Time // when the confirmation arrived
}

// SendResult summarises a Send.
type SendResult struct {
	Sent      int           `json:"sent"`      // messages confirmed, each counted once
	Resent    int           `json:"resent"`    // messages sent again after a reconnect (may be duplicates)
	Failovers int           `json:"failovers"` // reconnects during the Send
	Elapsed   time.Duration `json:"elapsed_ns"`
	Broker    string        `json:"broker"` // where the last confirmation came from
}

// Rate is confirmed messages per second.
func (r SendResult) Rate() float64 { return rate(r.Sent, r.Elapsed) }

func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// ConsumeOptions bound a Consume.
type ConsumeOptions struct {
	Max  int           // stop after this many messages; 0 has no limit
	Idle time.Duration // stop when no message arrived for this long; 0 waits for Max or ctx
}

// ConsumeResult summarises a Consume.
type ConsumeResult struct {
	Received    int `json:"received"`
	Redelivered int `json:"redelivered"` // flagged by the broker as delivered before
	// Duplicates are messages whose id this Consume had handled already:
	// after a master crash the new master may not know of acknowledgements
	// (or redelivery flags) the old one had not yet written to the store.
	Duplicates int           `json:"duplicates"`
	Failovers  int           `json:"failovers"`
	Elapsed    time.Duration `json:"elapsed_ns"`
}

// Received is a message as browsed or consumed.
type Received struct {
	Index       int               `json:"index"` // 0-based position in this browse or consume
	ID          string            `json:"id"`    // the JMS message id the broker assigned
	Type        string            `json:"type"`  // TextMessage or BytesMessage
	Timestamp   time.Time         `json:"timestamp"`
	Size        int               `json:"size"` // body bytes
	Persistent  bool              `json:"persistent"`
	Redelivered bool              `json:"redelivered"`         // the broker's flag
	Duplicate   bool              `json:"duplicate,omitempty"` // this Consume handled the same id before
	Destination string            `json:"destination"`
	Broker      string            `json:"broker"` // URL it was read from
	Headers     map[string]string `json:"headers,omitempty"`
	Body        []byte            `json:"-"`
}

// EventKind tells what happened to the connection.
type EventKind int

const (
	Connected     EventKind = iota // a broker accepted the connection
	Disconnected                   // the connection was lost (Err says why)
	AttemptFailed                  // one broker of a pass could not be reached
	ToolOutput                     // a line from the Java tools worth showing
)

// Event is something that happened to the connection, with its time, so a
// caller can log it or measure the stall of a failover.
type Event struct {
	Kind   EventKind
	Broker string // URL of the broker concerned
	At     time.Time
	Err    error
	Text   string // ToolOutput's line
}

func (e Event) String() string {
	switch e.Kind {
	case Connected:
		return "connected to " + e.Broker
	case Disconnected:
		return fmt.Sprintf("lost %s: %v", e.Broker, e.Err)
	case AttemptFailed:
		return fmt.Sprintf("cannot reach %s: %v", e.Broker, e.Err)
	default:
		return e.Text
	}
}

// Options configure Dial.
type Options struct {
	// Driver is DriverStomp or DriverOpenWire; empty picks by the URL's
	// scheme (stomp:// native, tcp:// openwire).
	Driver string
	// Timeout, when positive, replaces the URL's timeout option: how long
	// an operation waits while no broker is reachable.
	Timeout time.Duration
	// OnEvent receives connection events (connected to …, lost …) from the
	// goroutine running the operation; keep it short.
	OnEvent func(Event)

	// Native driver.
	Window         int           // sends awaiting a receipt at once; default 200
	ReceiptTimeout time.Duration // a receipt later than this means the connection is dead; default 10s

	// OpenWire driver.
	Home    string    // ActiveMQ home whose bin/activemq.jar provides the tools
	Java    string    // java executable; default $JAVA_HOME/bin/java, else java on PATH
	Verbose io.Writer // if set, receives the tools' whole output, JVM noise included
}

// Defaults of the native driver.
const (
	DefaultWindow         = 200
	DefaultReceiptTimeout = 10 * time.Second
)

// Dial prepares a client for rawURL. The native driver connects at once
// (walking the list by the URL's policy); the openwire driver checks its
// install and runs a JVM per operation.
func Dial(ctx context.Context, rawURL string, opts Options) (Client, error) {
	u, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	driver := opts.Driver
	if driver == "" {
		driver = DriverStomp
		if u.Protocol() == ProtocolOpenWire {
			driver = DriverOpenWire
		}
	}
	if opts.Timeout > 0 {
		u.Policy.Timeout = opts.Timeout
	}
	switch driver {
	case DriverStomp:
		return dialStomp(ctx, u, opts)
	case DriverOpenWire:
		return newOpenWire(u, opts)
	default:
		return nil, fmt.Errorf("unknown driver %q; use %s or %s", driver, DriverStomp, DriverOpenWire)
	}
}

func (o Options) emit(e Event) {
	if o.OnEvent != nil {
		if e.At.IsZero() {
			e.At = time.Now()
		}
		o.OnEvent(e)
	}
}
