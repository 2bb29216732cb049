package client

import (
	"fmt"
	"strings"
	"time"
)

// ConnectError means no broker of the URL could be reached. It lists every
// broker tried with the last reason it failed, so the user sees at once
// whether all are down, refused, or not listening yet.
type ConnectError struct {
	Tried   []Attempt
	Passes  int           // passes over the broker list
	Elapsed time.Duration // from the first attempt to giving up
	Why     string        // why it gave up: timeout, attempt limit
}

// Attempt is the last failure to reach one broker.
type Attempt struct {
	Broker string
	Err    error
}

func (e *ConnectError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "no broker reachable (%s; %d pass(es) in %s)", e.Why, e.Passes, e.Elapsed.Round(time.Millisecond))
	for _, a := range e.Tried {
		fmt.Fprintf(&b, "\n  %s: %v", a.Broker, a.Err)
	}
	b.WriteString("\nstart the lab ('amqlab up'), check the URL's ports, or wait longer with --timeout")
	return b.String()
}

// BrokerError is a STOMP ERROR frame: the broker refused something. Message
// is its message header, verbatim; Body is its body, often a Java stack
// trace.
type BrokerError struct {
	Broker  string
	Message string
	Body    string
	receipt string // the receipt header of the refused frame, if any
}

func (e *BrokerError) Error() string {
	return fmt.Sprintf("broker %s answered ERROR: %s", e.Broker, e.Message)
}
