package client_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amqlab/amqlab/client"
	"github.com/amqlab/amqlab/cluster"
	"github.com/amqlab/amqlab/internal/testlab"
)

// liveTimeout bounds one live test on a busy two-core machine.
const liveTimeout = 3 * time.Minute

func liveCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), liveTimeout)
	t.Cleanup(cancel)
	return ctx
}

// eventLog collects a client's connection events.
type eventLog struct {
	mu     sync.Mutex
	events []client.Event
}

func (l *eventLog) add(e client.Event) {
	l.mu.Lock()
	l.events = append(l.events, e)
	l.mu.Unlock()
}

func (l *eventLog) of(kind client.EventKind) []client.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []client.Event
	for _, e := range l.events {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func dial(t *testing.T, url string, o client.Options) (client.Client, *eventLog) {
	t.Helper()
	log := &eventLog{}
	o.OnEvent = log.add
	if o.Timeout == 0 {
		o.Timeout = time.Minute
	}
	c, err := client.Dial(liveCtx(t), url, o)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(func() { c.Close() })
	return c, log
}

func stompURL(lab *cluster.Lab, i int) string {
	return "stomp://127.0.0.1:" + strconv.Itoa(lab.Plan().Brokers[i].StompPort)
}

func ids(msgs []client.Received) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.ID)
	}
	return out
}

// TestSendWithFirstBrokerDown: the first broker of the failover URL is
// stopped and the second has taken over; every message must still arrive.
func TestSendWithFirstBrokerDown(t *testing.T) {
	lab := testlab.New(t, testlab.Options{Start: true})
	ctx := liveCtx(t)
	first := lab.Plan().Brokers[0].Name
	if err := lab.Stop(ctx, 0, first); err != nil {
		t.Fatal(err)
	}
	if _, err := lab.WaitTakeover(ctx, first); err != nil {
		t.Fatal(err)
	}
	c, log := dial(t, lab.FailoverURL("stomp"), client.Options{})
	const n = 300
	msgs := make([]client.Message, n)
	for i := range msgs {
		msgs[i] = client.Message{Body: []byte("message " + strconv.Itoa(i))}
	}
	res, err := c.Send(ctx, "queue://first-down", msgs, client.SendOptions{Persistent: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent != n || res.Resent != 0 || res.Broker != stompURL(lab, 1) {
		t.Errorf("send result %+v: want %d sent to %s", res, n, stompURL(lab, 1))
	}
	if failed := log.of(client.AttemptFailed); len(failed) == 0 || failed[0].Broker != stompURL(lab, 0) {
		t.Errorf("the client should report that it could not reach %s first: %v", stompURL(lab, 0), failed)
	}
	got, err := c.Browse(ctx, "first-down")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("browse shows %d messages, want %d", len(got), n)
	}
	for i, m := range got {
		if want := "message " + strconv.Itoa(i); string(m.Body) != want || m.Type != client.TextMessage || !m.Persistent {
			t.Errorf("message %d: %q %s persistent=%v, want %q as a persistent TextMessage", i, m.Body, m.Type, m.Persistent, want)
			break
		}
	}
	t.Logf("%d persistent messages in %v (%.0f msg/s) with the first broker down", n, res.Elapsed.Round(time.Millisecond), res.Rate())
}

// TestKillMasterDuringPersistentSends SIGKILLs the master while a stream of
// persistent messages is in flight. Every message a receipt confirmed
// must be on the new master; duplicates are allowed and counted.
func TestKillMasterDuringPersistentSends(t *testing.T) {
	lab := testlab.New(t, testlab.Options{Start: true})
	ctx := liveCtx(t)
	master, err := lab.WaitMaster(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c, log := dial(t, lab.FailoverURL("stomp"), client.Options{})

	const n, killAfter = 4000, 800
	msgs := make([]client.Message, n)
	for i := range msgs {
		msgs[i] = client.Message{Body: client.TextBody(64), Headers: map[string]string{"seq": strconv.Itoa(i)}}
	}
	killed := make(chan error, 1)
	var kill sync.Once
	confirmed := make([]bool, n)
	res, err := c.Send(ctx, "queue://chaos", msgs, client.SendOptions{
		Persistent: true,
		OnSent: func(s client.Sent) {
			confirmed[s.Index] = true
			if s.Index >= killAfter {
				kill.Do(func() { go func() { killed <- lab.Kill(ctx, master) }() })
			}
		},
	})
	if err != nil {
		t.Fatalf("send through the failover: %v (result %+v)", err, res)
	}
	if err := <-killed; err != nil {
		t.Fatal(err)
	}
	if res.Failovers < 1 {
		t.Fatalf("the master was killed mid-stream but the sender saw no failover: %+v", res)
	}
	if res.Sent != n {
		t.Errorf("confirmed %d of %d", res.Sent, n)
	}
	lost, connected := log.of(client.Disconnected), log.of(client.Connected)
	if len(lost) == 0 || len(connected) < 2 {
		t.Fatalf("events: lost %v, connected %v", lost, connected)
	}
	stall := connected[len(connected)-1].At.Sub(lost[0].At)
	t.Logf("failover: lost %s at %s, %s after %v; %d resent",
		lost[0].Broker, lost[0].At.Format("15:04:05.000"), connected[len(connected)-1], stall.Round(time.Millisecond), res.Resent)

	seen := map[int]int{}
	cres, err := c.Consume(ctx, "queue://chaos", client.ConsumeOptions{Idle: 3 * time.Second}, func(m client.Received) error {
		seq, err := strconv.Atoi(m.Headers["seq"])
		if err != nil {
			return fmt.Errorf("message %s without a seq header", m.ID)
		}
		seen[seq]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var missing []int
	dups := 0
	for i := range n {
		if confirmed[i] && seen[i] == 0 {
			missing = append(missing, i)
		}
		dups += max(seen[i]-1, 0)
	}
	if len(missing) > 0 {
		t.Errorf("%d confirmed messages are not on the new master, e.g. %v", len(missing), missing[:min(10, len(missing))])
	}
	if dups > res.Resent {
		t.Errorf("%d duplicates but only %d messages were resent", dups, res.Resent)
	}
	t.Logf("drained %d messages: %d distinct, %d duplicates (≤ %d resent)", cres.Received, len(seen), dups, res.Resent)
}

// TestBrowseAfterGracefulStop is the article's step 2.2: browse, stop the
// master gracefully, browse again through the same URL with a new client,
// and see the same message ids, now served by the other broker.
func TestBrowseAfterGracefulStop(t *testing.T) {
	lab := testlab.New(t, testlab.Options{Start: true})
	ctx := liveCtx(t)
	url := lab.FailoverURL("stomp")
	c, _ := dial(t, url, client.Options{})
	if _, err := c.Send(ctx, "test", []client.Message{{Body: []byte("one")}, {Body: []byte("two")}, {Body: []byte("three")}}, client.SendOptions{Persistent: true}); err != nil {
		t.Fatal(err)
	}
	before, err := c.Browse(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if len(before) != 3 || before[0].Broker != stompURL(lab, 0) {
		t.Fatalf("before: %d messages from %v", len(before), before)
	}
	master, err := lab.WaitMaster(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := lab.Stop(ctx, 0, master); err != nil {
		t.Fatal(err)
	}
	if _, err := lab.WaitTakeover(ctx, master); err != nil {
		t.Fatal(err)
	}
	c2, log := dial(t, url, client.Options{})
	after, err := c2.Browse(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(before), ids(after)) {
		t.Errorf("ids before the stop %v, after %v", ids(before), ids(after))
	}
	if conn := log.of(client.Connected); len(conn) != 1 || conn[0].String() != "connected to "+stompURL(lab, 1) {
		t.Errorf("connection events %v, want one: connected to %s", conn, stompURL(lab, 1))
	}
}

// TestBrowseSurvivesMasterLossBetweenOperations: a client whose broker
// dies between two operations fails over on the next one.
func TestBrowseSurvivesMasterLossBetweenOperations(t *testing.T) {
	lab := testlab.New(t, testlab.Options{Start: true})
	ctx := liveCtx(t)
	c, log := dial(t, lab.FailoverURL("stomp"), client.Options{})
	if _, err := c.Send(ctx, "between", []client.Message{{Body: []byte("x")}}, client.SendOptions{Persistent: true}); err != nil {
		t.Fatal(err)
	}
	master, err := lab.WaitMaster(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := lab.Kill(ctx, master); err != nil {
		t.Fatal(err)
	}
	got, err := c.Browse(ctx, "between")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Broker != stompURL(lab, 1) {
		t.Errorf("browse after the kill: %+v", got)
	}
	if len(log.of(client.Disconnected)) != 1 {
		t.Errorf("want one disconnect event, got %v", log.of(client.Disconnected))
	}
}

// TestConsumeAcknowledgesOnlyHandledMessages: a handler error stops
// consuming and leaves that message on the queue.
func TestConsumeAcknowledgesOnlyHandledMessages(t *testing.T) {
	lab := testlab.New(t, testlab.Options{Start: true})
	ctx := liveCtx(t)
	c, _ := dial(t, lab.FailoverURL("stomp"), client.Options{})
	var msgs []client.Message
	for i := range 5 {
		msgs = append(msgs, client.Message{Body: []byte(strconv.Itoa(i))})
	}
	if _, err := c.Send(ctx, "acks", msgs, client.SendOptions{Persistent: true}); err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop at the third")
	res, err := c.Consume(ctx, "acks", client.ConsumeOptions{}, func(m client.Received) error {
		if string(m.Body) == "2" {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || res.Received != 2 {
		t.Fatalf("consume = %+v, %v; want 2 handled and the handler's error", res, err)
	}
	left, err := c.Browse(ctx, "acks")
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, m := range left {
		bodies = append(bodies, string(m.Body))
	}
	if strings.Join(bodies, ",") != "2,3,4" {
		t.Errorf("left on the queue: %v, want 2,3,4", bodies)
	}
	res, err = c.Consume(ctx, "acks", client.ConsumeOptions{Max: 3}, func(client.Received) error { return nil })
	if err != nil || res.Received != 3 {
		t.Errorf("second consume = %+v, %v", res, err)
	}
}

// TestConsumeFailsOverWhenTheMasterDies kills the master while a consumer
// works through a queue: the consumer resubscribes on the new master and
// every message is handled at least once; messages whose acknowledgement
// the old master had not stored come again and are counted as duplicates.
func TestConsumeFailsOverWhenTheMasterDies(t *testing.T) {
	lab := testlab.New(t, testlab.Options{Start: true})
	ctx := liveCtx(t)
	master, err := lab.WaitMaster(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c, log := dial(t, lab.FailoverURL("stomp"), client.Options{})
	const n, killAt = 1500, 300
	msgs := make([]client.Message, n)
	for i := range msgs {
		msgs[i] = client.Message{Body: []byte(strconv.Itoa(i))}
	}
	if _, err := c.Send(ctx, "drain", msgs, client.SendOptions{Persistent: true}); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	killed := make(chan error, 1)
	res, err := c.Consume(ctx, "drain", client.ConsumeOptions{Idle: 3 * time.Second}, func(m client.Received) error {
		seen[string(m.Body)]++
		if len(seen) == killAt {
			go func() { killed <- lab.Kill(ctx, master) }()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-killed; err != nil {
		t.Fatal(err)
	}
	if res.Failovers != 1 || len(log.of(client.Disconnected)) != 1 {
		t.Errorf("result %+v, disconnects %v: want one failover", res, log.of(client.Disconnected))
	}
	if len(seen) != n {
		t.Errorf("handled %d distinct messages, want %d", len(seen), n)
	}
	if dups := res.Received - len(seen); dups != res.Duplicates {
		t.Errorf("%d messages handled twice but %d counted as duplicates", dups, res.Duplicates)
	}
	t.Logf("consumed %d (%d distinct, %d duplicates, %d flagged redelivered) across the failover", res.Received, len(seen), res.Duplicates, res.Redelivered)
}

// TestBrokerErrorIsShownVerbatim provokes a real ERROR frame: a SEND in a
// transaction the broker never heard of.
func TestBrokerErrorIsShownVerbatim(t *testing.T) {
	lab := testlab.New(t, testlab.Options{Start: true})
	c, _ := dial(t, lab.FailoverURL("stomp"), client.Options{})
	_, err := c.Send(liveCtx(t), "q", []client.Message{{Body: []byte("x"), Headers: map[string]string{"transaction": "nope"}}}, client.SendOptions{})
	var be *client.BrokerError
	if !errors.As(err, &be) {
		t.Fatalf("send = %v, want a BrokerError", err)
	}
	if be.Message != "Invalid transaction id: nope" || !strings.Contains(err.Error(), "message 0") {
		t.Errorf("error %q / message %q: want the broker's words and the message index", err, be.Message)
	}
}

// TestNoBrokerReachable: with the lab stopped, the error lists every URL.
func TestNoBrokerReachable(t *testing.T) {
	lab := testlab.New(t, testlab.Options{})
	_, err := client.Dial(liveCtx(t), lab.FailoverURL("stomp"), client.Options{Timeout: 1500 * time.Millisecond})
	var ce *client.ConnectError
	if !errors.As(err, &ce) {
		t.Fatalf("dial = %v, want a ConnectError", err)
	}
	for i := range lab.Plan().Brokers {
		if !strings.Contains(err.Error(), stompURL(lab, i)+": dial tcp") || !strings.Contains(err.Error(), "connection refused") {
			t.Errorf("error does not explain %s:\n%v", stompURL(lab, i), err)
		}
	}
}

// TestOpenWireRoundTrip runs the install's Java tools through the lab's
// OpenWire failover URL: produce, browse, consume.
func TestOpenWireRoundTrip(t *testing.T) {
	lab := testlab.New(t, testlab.Options{Start: true})
	ctx := liveCtx(t)
	var toolOut strings.Builder
	c, log := dial(t, lab.FailoverURL("tcp"), client.Options{Home: lab.Plan().Brokers[0].Home, Verbose: &toolOut})
	body := []byte("hello from the Java producer\nsecond line")
	msgs := slices.Repeat([]client.Message{{Body: body}}, 5)
	res, err := c.Send(ctx, "queue://ow", msgs, client.SendOptions{Persistent: true, TTL: time.Hour})
	if err != nil {
		t.Fatalf("%v\n%s", err, toolOut.String())
	}
	owURL := "tcp://127.0.0.1:" + strconv.Itoa(lab.Plan().Brokers[0].OpenWirePort)
	if res.Sent != 5 || res.Broker != owURL {
		t.Errorf("producer result %+v, want 5 sent via %s", res, owURL)
	}
	got, err := c.Browse(ctx, "ow")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 {
		t.Fatalf("browse shows %d messages, want 5:\n%s", len(got), toolOut.String())
	}
	for _, m := range got {
		if !strings.HasPrefix(m.ID, "ID:") || string(m.Body) != string(body) || m.Type != client.TextMessage || !m.Persistent || m.Timestamp.IsZero() {
			t.Errorf("browsed %+v (body %q)", m, m.Body)
		}
	}
	var bodies []string
	cres, err := c.Consume(ctx, "queue://ow", client.ConsumeOptions{Max: 5}, func(m client.Received) error {
		bodies = append(bodies, string(m.Body))
		return nil
	})
	if err != nil || cres.Received != 5 {
		t.Fatalf("consume = %+v, %v", cres, err)
	}
	for _, b := range bodies {
		if b != string(body) {
			t.Errorf("consumed body %q", b)
		}
	}
	if left, err := c.Browse(ctx, "ow"); err != nil || len(left) != 0 {
		t.Errorf("after consuming: %d left, %v", len(left), err)
	}
	if conn := log.of(client.Connected); len(conn) != 4 || conn[0].Broker != owURL {
		t.Errorf("want one 'connected to %s' per tool run, got %v", owURL, conn)
	}
	if strings.Contains(toolOut.String(), "amqlab|") == false {
		t.Errorf("verbose output should carry the tools' log lines")
	}
}

// TestOpenWireFailsClearlyWithoutBroker: the Java tool would retry forever;
// the driver stops it at the timeout and explains each URL.
func TestOpenWireFailsClearlyWithoutBroker(t *testing.T) {
	lab := testlab.New(t, testlab.Options{})
	c, err := client.Dial(liveCtx(t), lab.FailoverURL("tcp"), client.Options{Home: lab.Plan().Brokers[0].Home, Timeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Browse(liveCtx(t), "q")
	var ce *client.ConnectError
	if !errors.As(err, &ce) || len(ce.Tried) != 2 || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("browse = %v, want a ConnectError naming both brokers", err)
	}
}
