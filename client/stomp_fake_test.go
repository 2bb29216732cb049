package client

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// TestConnectRefusalIsShownVerbatimAndNotRetried: a broker that answers
// CONNECT with ERROR will do so again, so the walk stops there and the
// user sees the broker's words.
func TestConnectRefusalIsShownVerbatimAndNotRetried(t *testing.T) {
	refusing := newFakeBroker(t)
	refusing.refuse = "User name [guest] or password is invalid."
	healthy := newFakeBroker(t)
	_, err := Dial(testCtx(t), "failover:("+refusing.url()+","+healthy.url()+")?randomize=false", Options{})
	var be *BrokerError
	if !errors.As(err, &be) {
		t.Fatalf("Dial = %v, want a BrokerError", err)
	}
	if be.Message != refusing.refuse || !strings.Contains(be.Body, "SecurityException") {
		t.Errorf("broker error %+v does not carry the frame verbatim", be)
	}
	if !strings.Contains(err.Error(), refusing.refuse) {
		t.Errorf("error text %q lacks the broker's message", err)
	}
}

// TestSilentBrokerCountsAsDeadAndSendsFailOver: a broker that keeps the
// connection but stops answering must not hang the producer; after the
// receipt timeout the unconfirmed messages go to the next broker.
func TestSilentBrokerCountsAsDeadAndSendsFailOver(t *testing.T) {
	silent := newFakeBroker(t)
	silent.silent = true
	healthy := newFakeBroker(t)
	var events []Event
	c, err := Dial(testCtx(t), "failover:("+silent.url()+","+healthy.url()+")?randomize=false&initialReconnectDelay=1", Options{
		ReceiptTimeout: 300 * time.Millisecond,
		Window:         4,
		OnEvent:        func(e Event) { events = append(events, e) },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	res, err := c.Send(testCtx(t), "queue://q", numbered(10), SendOptions{Persistent: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent != 10 || res.Failovers != 1 {
		t.Errorf("result %+v: want 10 sent after 1 failover", res)
	}
	if res.Resent != 4 {
		t.Errorf("resent %d, want the 4 messages of the window", res.Resent)
	}
	if got := strings.Join(healthy.received(), ","); got != "0,1,2,3,4,5,6,7,8,9" {
		t.Errorf("the healthy broker got %s, want all ten in order", got)
	}
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, e.String())
	}
	joined := strings.Join(kinds, "\n")
	for _, want := range []string{"connected to " + silent.url(), "lost " + silent.url() + ": no answer", "connected to " + healthy.url()} {
		if !strings.Contains(joined, want) {
			t.Errorf("events lack %q:\n%s", want, joined)
		}
	}
}

// TestDropMidStreamResendsExactlyTheUnconfirmed: the broker confirms six
// messages and dies on the seventh; the client must
// resend from the seventh on, count those as resent, and confirm each
// message exactly once.
func TestDropMidStreamResendsExactlyTheUnconfirmed(t *testing.T) {
	flaky := newFakeBroker(t)
	flaky.dieAt = 7
	healthy := newFakeBroker(t)
	c, err := Dial(testCtx(t), "failover:("+flaky.url()+","+healthy.url()+")?randomize=false&initialReconnectDelay=1", Options{Window: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	confirmed := map[int]int{}
	res, err := c.Send(testCtx(t), "q", numbered(20), SendOptions{OnSent: func(s Sent) { confirmed[s.Index]++ }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent != 20 || res.Resent != 1 || res.Failovers != 1 {
		t.Errorf("result %+v: want 20 sent, 1 resent, 1 failover", res)
	}
	if got := strings.Join(flaky.received(), ","); got != "0,1,2,3,4,5" {
		t.Errorf("flaky broker kept %s", got)
	}
	first := healthy.received()[0]
	if first != "6" {
		t.Errorf("the new broker's first message is %s, want 6 (the unconfirmed one)", first)
	}
	for i := range 20 {
		if confirmed[i] != 1 {
			t.Errorf("message %d confirmed %d times", i, confirmed[i])
		}
	}
}

// TestSingleBrokerURLDoesNotFailOver: like ActiveMQ's plain tcp:// URL, a
// single broker URL gives up after one try.
func TestSingleBrokerURLDoesNotFailOver(t *testing.T) {
	f := newFakeBroker(t)
	addr := f.url()
	f.close()
	start := time.Now()
	_, err := Dial(testCtx(t), addr, Options{})
	var ce *ConnectError
	if !errors.As(err, &ce) || ce.Passes != 1 || !strings.Contains(err.Error(), addr) {
		t.Fatalf("Dial = %v, want a one-pass ConnectError naming %s", err, addr)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("giving up took %v", time.Since(start))
	}
}

func TestSendRefusesBadInputBeforeSending(t *testing.T) {
	f := newFakeBroker(t)
	c, err := Dial(testCtx(t), f.url(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tests := []struct {
		dest string
		msg  Message
		want string
	}{
		{"amqp://x", Message{}, "unknown scheme"},
		{"queue://", Message{}, "no name"},
		{"q", Message{Headers: map[string]string{"priority": "high"}}, "0 to 9"},
		{"q", Message{Headers: map[string]string{"receipt": "x"}}, "set by amqlab"},
		{"q", Message{Headers: map[string]string{"a:b": "x"}}, "header name"},
	}
	for _, tt := range tests {
		_, err := c.Send(testCtx(t), tt.dest, []Message{tt.msg}, SendOptions{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Send(%q, %v) = %v, want %q", tt.dest, tt.msg.Headers, err, tt.want)
		}
	}
	if n := len(f.received()); n != 0 {
		t.Errorf("the broker received %d messages of bad input", n)
	}
}

func TestMessageFrames(t *testing.T) {
	d := Destination{Queue, "q"}
	text := sendFrame(d, Message{Body: []byte("héllo"), Headers: map[string]string{"priority": "7"}}, true, 0, "r1")
	if _, ok := text.Header.Contains("content-length"); ok {
		t.Error("a text body must travel without content-length, so ActiveMQ makes a TextMessage")
	}
	if text.Header.Get("persistent") != "true" || text.Header.Get("priority") != "7" || text.Header.Get("destination") != "/queue/q" {
		t.Errorf("headers %v", text.Header)
	}
	bin := sendFrame(Destination{Topic, "t"}, Message{Body: []byte{0, 1, 2}}, false, 1234, "r2")
	if bin.Header.Get("content-length") != "3" || bin.Header.Get("expires") != "1234" {
		t.Errorf("binary headers %v", bin.Header)
	}
	if _, ok := bin.Header.Contains("persistent"); ok {
		t.Error("non-persistent message carries persistent header")
	}
	for h, want := range map[string]string{"": TextMessage, "content-length": BytesMessage} {
		m := map[string]string{}
		if h != "" {
			m[h] = "3"
		}
		if got := messageType(m); got != want {
			t.Errorf("messageType(%v) = %s, want %s", m, got, want)
		}
	}
	if got := TextBody(50); len(got) != 50 || !isText(got) {
		t.Errorf("TextBody(50) = %q", got)
	}
	if strconv.Itoa(len(TextBody(0))) != "0" {
		t.Error("TextBody(0) not empty")
	}
}
