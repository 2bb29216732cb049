package client

import (
	"fmt"
	"strings"
)

// Destination kinds.
const (
	Queue = "queue"
	Topic = "topic"
)

// Destination is a queue or topic, written like ActiveMQ's tools do:
// queue://test, topic://news, or a bare name for a queue.
type Destination struct {
	Kind string // Queue or Topic
	Name string
}

// ParseDestination accepts queue://name, topic://name, STOMP's /queue/name
// and /topic/name, and a bare name (a queue).
func ParseDestination(s string) (Destination, error) {
	s = strings.TrimSpace(s)
	var d Destination
	switch {
	case strings.HasPrefix(s, "queue://"):
		d = Destination{Queue, s[len("queue://"):]}
	case strings.HasPrefix(s, "topic://"):
		d = Destination{Topic, s[len("topic://"):]}
	case strings.HasPrefix(s, "/queue/"):
		d = Destination{Queue, s[len("/queue/"):]}
	case strings.HasPrefix(s, "/topic/"):
		d = Destination{Topic, s[len("/topic/"):]}
	case strings.Contains(s, "://"):
		scheme, _, _ := strings.Cut(s, "://")
		return Destination{}, fmt.Errorf("destination %q: unknown scheme %q; use queue://NAME or topic://NAME", s, scheme+"://")
	default:
		d = Destination{Queue, s}
	}
	if d.Name == "" {
		return Destination{}, fmt.Errorf("destination %q has no name; e.g. queue://test", s)
	}
	if strings.ContainsAny(d.Name, "\r\n\x00") {
		return Destination{}, fmt.Errorf("destination %q contains a line break or NUL", s)
	}
	return d, nil
}

// String is the ActiveMQ tools' form, e.g. queue://test.
func (d Destination) String() string { return d.Kind + "://" + d.Name }

// stomp is the STOMP form, e.g. /queue/test.
func (d Destination) stomp() string { return "/" + d.Kind + "/" + d.Name }

// browsable reports an error for destinations a browser cannot read.
func (d Destination) browsable() error {
	if d.Kind != Queue {
		return fmt.Errorf("%s: only queues can be browsed; a topic keeps no messages to look at (consume it instead)", d)
	}
	return nil
}
