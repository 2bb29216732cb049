package client

import (
	"strconv"
	"strings"
	"time"
)

// browseParser reads the browse tool's listing: per message one
// JMS_BODY_FIELD line (a text body may continue over further lines) and
// JMS_HEADER_FIELD / JMS_CUSTOM_FIELD lines, with blank lines between
// messages.
type browseParser struct {
	broker string
	out    []Received
	cur    *Received
	inBody bool
	blanks int // blank lines held back: inside a body they belong to it
}

const (
	bodyField   = "JMS_BODY_FIELD:"
	headerField = "JMS_HEADER_FIELD:"
	customField = "JMS_CUSTOM_FIELD:"
)

func (p *browseParser) line(s string) {
	switch {
	case s == "":
		p.blanks++
		return
	case strings.HasPrefix(s, bodyField):
		p.start()
		kind, value, _ := strings.Cut(strings.TrimPrefix(s, bodyField), " = ")
		p.cur.Type = bodyType(kind)
		p.cur.Body = []byte(value)
		p.inBody = true
	case strings.HasPrefix(s, headerField), strings.HasPrefix(s, customField):
		name, value, _ := strings.Cut(s[strings.IndexByte(s, ':')+1:], " = ")
		if p.cur == nil || p.seen(name) {
			p.start()
		}
		p.inBody = false
		p.header(name, value)
	case p.inBody:
		p.cur.Body = append(p.cur.Body, strings.Repeat("\n", p.blanks+1)...)
		p.cur.Body = append(p.cur.Body, s...)
	}
	p.blanks = 0
}

// seen tells that the current message already has this header, so the
// line belongs to the next message (one without a body line).
func (p *browseParser) seen(name string) bool {
	_, ok := p.cur.Headers[name]
	return ok
}

func (p *browseParser) start() {
	p.finish()
	p.cur = &Received{Index: len(p.out), Broker: p.broker, Headers: map[string]string{}}
	p.inBody = false
}

func (p *browseParser) finish() {
	if p.cur == nil {
		return
	}
	p.cur.Size = len(p.cur.Body)
	if p.cur.Type == "" {
		p.cur.Type = "Message"
	}
	p.out = append(p.out, *p.cur)
	p.cur = nil
}

func (p *browseParser) header(name, value string) {
	p.cur.Headers[name] = value
	switch name {
	case "JMSMessageID":
		p.cur.ID = value
	case "JMSTimestamp":
		if ms, err := strconv.ParseInt(value, 10, 64); err == nil && ms > 0 {
			p.cur.Timestamp = time.UnixMilli(ms)
		}
	case "JMSDeliveryMode":
		p.cur.Persistent = value == "persistent"
	case "JMSRedelivered":
		p.cur.Redelivered = value == "true"
	case "JMSDestination":
		p.cur.Destination = "queue://" + value
	}
}

// done returns the messages read.
func (p *browseParser) done() []Received {
	p.finish()
	return p.out
}

// bodyType maps the tool's body field (JMSText, JMSBytes:1, JMSMap …) to a
// JMS message type name.
func bodyType(field string) string {
	name, _, _ := strings.Cut(field, ":")
	switch name {
	case "JMSText":
		return TextMessage
	case "JMSBytes":
		return BytesMessage
	default:
		return strings.TrimPrefix(name, "JMS") + "Message"
	}
}
