package client

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-stomp/stomp/v3/frame"
)

// Message types as JMS names them.
const (
	TextMessage  = "TextMessage"
	BytesMessage = "BytesMessage"
)

// reservedHeaders are set by the client itself.
var reservedHeaders = map[string]bool{
	frame.Destination:   true,
	frame.Receipt:       true,
	frame.ContentLength: true,
}

// checkHeaders refuses headers the broker would choke on. A malformed
// priority makes ActiveMQ drop the connection without an ERROR frame, which
// a failover client would otherwise retry forever.
func checkHeaders(h map[string]string) error {
	for k, v := range h {
		switch {
		case k == "" || strings.ContainsAny(k, ":\r\n"):
			return fmt.Errorf("header name %q must not be empty or contain ':' or a line break", k)
		case reservedHeaders[k]:
			return fmt.Errorf("header %q is set by amqlab itself; leave it out", k)
		case k == "priority":
			if n, err := strconv.Atoi(v); err != nil || n < 0 || n > 9 {
				return fmt.Errorf("priority %q: want a whole number from 0 to 9", v)
			}
		case k == "expires":
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				return fmt.Errorf("expires %q: want milliseconds since the epoch (or use a TTL)", v)
			}
		case k == "persistent":
			if _, err := strconv.ParseBool(v); err != nil {
				return fmt.Errorf("persistent %q: want true or false", v)
			}
		}
	}
	return nil
}

// isText tells whether body can travel as a TextMessage: STOMP frames without
// content-length end at the first NUL, and ActiveMQ makes a TextMessage of
// exactly those frames.
func isText(body []byte) bool {
	return utf8.Valid(body) && bytes.IndexByte(body, 0) < 0
}

// sendFrame builds the SEND frame of m. expires is absolute (ms since the
// epoch) and 0 for none; it is fixed at the first attempt so that a resent
// message keeps its expiry.
func sendFrame(d Destination, m Message, persistent bool, expires int64, receipt string) *frame.Frame {
	f := frame.New(frame.SEND, frame.Destination, d.stomp())
	if persistent {
		f.Header.Add("persistent", "true")
	}
	if expires > 0 {
		f.Header.Add("expires", strconv.FormatInt(expires, 10))
	}
	for k, v := range m.Headers {
		f.Header.Set(k, v)
	}
	if !isText(m.Body) {
		f.Header.Add(frame.ContentLength, strconv.Itoa(len(m.Body)))
	}
	f.Header.Add(frame.Receipt, receipt)
	f.Body = m.Body
	return f
}

// received converts a MESSAGE frame.
func received(f *frame.Frame, index int, from Broker) Received {
	h := make(map[string]string, f.Header.Len())
	for i := 0; i < f.Header.Len(); i++ {
		k, v := f.Header.GetAt(i)
		if _, dup := h[k]; !dup { // STOMP: the first of repeated headers counts
			h[k] = v
		}
	}
	r := Received{
		Index:       index,
		ID:          h[frame.MessageId],
		Type:        messageType(h),
		Size:        len(f.Body),
		Persistent:  h["persistent"] == "true",
		Redelivered: h["redelivered"] == "true",
		Destination: destinationName(h[frame.Destination]),
		Broker:      from.String(),
		Headers:     h,
		Body:        f.Body,
	}
	if ms, err := strconv.ParseInt(h["timestamp"], 10, 64); err == nil && ms > 0 {
		r.Timestamp = time.UnixMilli(ms)
	}
	return r
}

// messageType follows ActiveMQ's STOMP mapping: an explicit amq-msg-type,
// else a content-length header marks a BytesMessage.
func messageType(h map[string]string) string {
	switch t := h["amq-msg-type"]; {
	case t == "text":
		return TextMessage
	case t == "bytes":
		return BytesMessage
	case t != "":
		return t
	}
	if _, ok := h[frame.ContentLength]; ok {
		return BytesMessage
	}
	return TextMessage
}

// destinationName turns /queue/x into queue://x, the form users type.
func destinationName(stomp string) string {
	if d, err := ParseDestination(stomp); err == nil && strings.HasPrefix(stomp, "/") {
		return d.String()
	}
	return stomp
}

// TextBody makes a readable body of exactly size bytes, for sending
// generated messages of a chosen size.
func TextBody(size int) []byte {
	const pattern = "amqlab test message. "
	b := make([]byte, size)
	for i := range b {
		b[i] = pattern[i%len(pattern)]
	}
	return b
}
