package client

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"time"
)

// TestBrowseParserOnRealOutput reads a listing captured from ActiveMQ
// 5.17.2's browse tool: a multi-line text body, a property, binary bodies,
// and the failover transport's warning with a stack trace at close.
func TestBrowseParserOnRealOutput(t *testing.T) {
	f, err := os.Open("testdata/browse-tool-output.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := &browseParser{broker: "tcp://127.0.0.1:41616"}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := parseToolLine(sc.Text())
		if !l.log {
			p.line(l.raw)
		}
	}
	got := p.done()
	if len(got) != 7 {
		t.Fatalf("parsed %d messages, want 7: %+v", len(got), got)
	}
	first := got[0]
	if string(first.Body) != "line one\nline two\n\nüñí end" {
		t.Errorf("multi-line body = %q", first.Body)
	}
	if first.ID != "ID:vm-43035-1795621998636-1:1:1:1:1" || first.Type != TextMessage || !first.Persistent {
		t.Errorf("first = %+v", first)
	}
	if want := time.UnixMilli(1795621998840); !first.Timestamp.Equal(want) {
		t.Errorf("timestamp %v, want %v", first.Timestamp, want)
	}
	if first.Destination != "queue://pl" || first.Broker != "tcp://127.0.0.1:41616" {
		t.Errorf("destination %q broker %q", first.Destination, first.Broker)
	}
	if got[1].Headers["myprop"] != "v1" || got[1].Headers["JMSPriority"] != "7" {
		t.Errorf("second message headers %v", got[1].Headers)
	}
	if got[2].Type != BytesMessage || got[2].Size != 5 {
		t.Errorf("third message: type %s size %d, want a 5-byte BytesMessage", got[2].Type, got[2].Size)
	}
	for i, m := range got {
		if m.Index != i || !strings.HasPrefix(m.ID, "ID:") {
			t.Errorf("message %d: index %d id %q", i, m.Index, m.ID)
		}
	}
}

func TestParseToolLine(t *testing.T) {
	tests := []struct {
		raw    string
		kind   EventKind
		broker string
		none   bool
	}{
		{raw: "amqlab|INFO|FailoverTransport|Successfully connected to tcp://127.0.0.1:61616", kind: Connected, broker: "tcp://127.0.0.1:61616"},
		{raw: "amqlab|WARN|FailoverTransport|Transport (tcp://127.0.0.1:61616) failed , attempting to automatically reconnect: java.io.EOFException", kind: Disconnected, broker: "tcp://127.0.0.1:61616"},
		{raw: "amqlab|WARN|FailoverTransport|Transport (tcp://127.0.0.1:41616) failed, not attempting to automatically reconnect", none: true},
		{raw: "amqlab|ERROR|ProducerThread|producer-1 Failed to send", kind: ToolOutput},
		{raw: "amqlab|INFO|ProducerThread|producer-1 Produced: 3 messages", none: true},
		{raw: "ACTIVEMQ_HOME: /usr/share/activemq", none: true},
	}
	for _, tt := range tests {
		l := parseToolLine(tt.raw)
		if tt.none {
			if l.event != nil {
				t.Errorf("%q: unexpected event %v", tt.raw, *l.event)
			}
			continue
		}
		if l.event == nil || l.event.Kind != tt.kind || l.event.Broker != tt.broker {
			t.Errorf("%q: event %+v, want kind %d broker %q", tt.raw, l.event, tt.kind, tt.broker)
		}
	}
}
