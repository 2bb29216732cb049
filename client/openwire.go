package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ErrNotSupported marks requests the Java tools cannot carry out, such as
// per-message headers or consuming "until idle" (the consumer tool waits
// for an exact count); the native driver can.
var ErrNotSupported = errors.New("not supported by the Java client tools; use the stomp driver")

// openWire is the driver that runs the install's Java client tools, so the
// messages go through ActiveMQ's own failover transport.
type openWire struct {
	u    *URL
	opts Options
	java string
	jar  string
}

func newOpenWire(u *URL, opts Options) (*openWire, error) {
	for _, b := range u.Brokers {
		if b.Protocol() != ProtocolOpenWire {
			return nil, badPart(u.Raw, b.offset, len(b.Scheme), "the openwire driver needs tcp:// URLs; %s:// is for the stomp driver", b.Scheme)
		}
	}
	if opts.Home == "" {
		return nil, errors.New("the openwire driver runs the client tools of an ActiveMQ install, and none was given; create a lab first ('amqlab up') or use the stomp driver")
	}
	jar := filepath.Join(opts.Home, "bin", "activemq.jar")
	if _, err := os.Stat(jar); err != nil {
		return nil, fmt.Errorf("the openwire driver needs the client tools in %s, which is missing (%w); install the lab first ('amqlab up') or use the stomp driver", jar, err)
	}
	java, err := findJava(opts.Java)
	if err != nil {
		return nil, err
	}
	return &openWire{u: u, opts: opts, java: java, jar: jar}, nil
}

// findJava prefers an explicit path, then $JAVA_HOME/bin/java, then PATH.
func findJava(explicit string) (string, error) {
	if explicit != "" {
		return explicit, nil
	}
	if jh := os.Getenv("JAVA_HOME"); jh != "" {
		p := filepath.Join(jh, "bin", "java")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	p, err := exec.LookPath("java")
	if err != nil {
		return "", errors.New("the openwire driver needs Java, and there is no 'java' on PATH and no usable JAVA_HOME; install a JDK 17 or use the stomp driver")
	}
	return p, nil
}

// Close implements Client; each operation has its own JVM.
func (o *openWire) Close() error { return nil }

// Send implements Client with the producer tool, which sends one body a
// number of times: the messages must share their body and carry no headers.
func (o *openWire) Send(ctx context.Context, dest string, msgs []Message, so SendOptions) (SendResult, error) {
	d, err := ParseDestination(dest)
	if err != nil {
		return SendResult{}, err
	}
	if len(msgs) == 0 {
		return SendResult{}, nil
	}
	body := msgs[0].Body
	for i, m := range msgs {
		switch {
		case len(m.Headers) > 0:
			return SendResult{}, fmt.Errorf("message %d has headers, which the producer tool cannot set: %w", i, ErrNotSupported)
		case !bytes.Equal(m.Body, body):
			return SendResult{}, fmt.Errorf("message %d has a body of its own, but the producer tool sends one body for all messages: %w", i, ErrNotSupported)
		}
	}
	if !isText(body) {
		return SendResult{}, fmt.Errorf("the producer tool sends text bodies only, and this body is binary: %w", ErrNotSupported)
	}
	tmp, err := os.MkdirTemp("", "amqlab-producer-")
	if err != nil {
		return SendResult{}, fmt.Errorf("temporary directory for the producer tool: %w", err)
	}
	defer os.RemoveAll(tmp)
	payload := filepath.Join(tmp, "body.txt")
	if err := os.WriteFile(payload, body, 0o600); err != nil {
		return SendResult{}, fmt.Errorf("writing the message body for the producer tool: %w", err)
	}
	args := []string{
		"--brokerUrl", o.u.String(),
		"--destination", d.String(),
		"--messageCount", strconv.Itoa(len(msgs)),
		"--persistent", strconv.FormatBool(so.Persistent),
		"--payloadUrl", (&url.URL{Scheme: "file", Path: payload}).String(),
	}
	if so.TTL > 0 {
		args = append(args, "--msgTTL", strconv.FormatInt(max(so.TTL.Milliseconds(), 1), 10))
	}
	var res SendResult
	start := time.Now()
	err = o.run(ctx, tmp, "producer", args, 0, func(l toolLine) error {
		switch {
		case l.event != nil && l.event.Kind == Connected:
			if res.Broker != "" {
				res.Failovers++
			}
			res.Broker = l.event.Broker
		case strings.Contains(l.msg, " Produced: "):
			n, perr := strconv.Atoi(strings.Fields(l.msg[strings.Index(l.msg, " Produced: ")+len(" Produced: "):])[0])
			if perr == nil {
				res.Sent = n
			}
		}
		return nil
	})
	res.Elapsed = time.Since(start)
	if err == nil && res.Sent != len(msgs) {
		err = fmt.Errorf("the producer tool ended after confirming %d of %d messages; run with -v to see its output", res.Sent, len(msgs))
	}
	return res, err
}

// Browse implements Client with the browse tool.
func (o *openWire) Browse(ctx context.Context, dest string) ([]Received, error) {
	d, err := ParseDestination(dest)
	if err != nil {
		return nil, err
	}
	if err := d.browsable(); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "amqlab-browse-")
	if err != nil {
		return nil, fmt.Errorf("temporary directory for the browse tool: %w", err)
	}
	defer os.RemoveAll(tmp)
	p := &browseParser{}
	err = o.run(ctx, tmp, "browse", []string{"--amqurl", o.u.String(), d.Name}, 0, func(l toolLine) error {
		if l.event != nil && l.event.Kind == Connected {
			p.broker = l.event.Broker
		}
		if !l.log {
			p.line(l.raw)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p.done(), nil
}

// Consume implements Client with the consumer tool, acknowledging each
// message right after the tool logged it. The tool needs a count; an idle
// period ends it early.
func (o *openWire) Consume(ctx context.Context, dest string, co ConsumeOptions, handle func(Received) error) (ConsumeResult, error) {
	d, err := ParseDestination(dest)
	if err != nil {
		return ConsumeResult{}, err
	}
	if co.Max <= 0 {
		return ConsumeResult{}, fmt.Errorf("the consumer tool needs a message count (--count): %w", ErrNotSupported)
	}
	tmp, err := os.MkdirTemp("", "amqlab-consumer-")
	if err != nil {
		return ConsumeResult{}, fmt.Errorf("temporary directory for the consumer tool: %w", err)
	}
	defer os.RemoveAll(tmp)
	args := []string{
		"--brokerUrl", o.u.String(),
		"--destination", d.String(),
		"--messageCount", strconv.Itoa(co.Max),
		"--ackMode", "CLIENT_ACKNOWLEDGE",
		"--batchSize", "1",
	}
	var res ConsumeResult
	var broker string
	var last *Received
	deliver := func() error {
		if last == nil {
			return nil
		}
		m := *last
		last = nil
		res.Received++
		return handle(m)
	}
	start := time.Now()
	err = o.run(ctx, tmp, "consumer", args, co.Idle, func(l toolLine) error {
		switch {
		case l.event != nil && l.event.Kind == Connected:
			if broker != "" {
				res.Failovers++
			}
			broker = l.event.Broker
		case l.log && strings.Contains(l.msg, " Received "):
			if err := deliver(); err != nil {
				return err
			}
			text := l.msg[strings.Index(l.msg, " Received ")+len(" Received "):]
			last = &Received{Index: res.Received, Body: []byte(text), Size: len(text), Broker: broker, Destination: d.String()}
		case !l.log && last != nil: // a multi-line text body continues
			last.Body = append(append(last.Body, '\n'), l.raw...)
			last.Size = len(last.Body)
		case l.log:
			return deliver()
		}
		return nil
	})
	if err == nil {
		err = deliver()
	}
	res.Elapsed = time.Since(start)
	return res, err
}

// toolLine is one line of a tool's output. Log lines carry our marker and
// are split into level, logger and message; event is set for the lines
// that tell about the connection.
type toolLine struct {
	raw    string
	log    bool
	level  string
	logger string
	msg    string
	event  *Event
}

// logMarker starts every log line of the tools, so that log output can be
// told from message bodies and JVM banners.
const logMarker = "amqlab|"

const log4j1Config = `log4j.rootLogger=INFO, out
log4j.appender.out=org.apache.log4j.ConsoleAppender
log4j.appender.out.layout=org.apache.log4j.PatternLayout
log4j.appender.out.layout.ConversionPattern=` + logMarker + `%p|%c{1}|%m%n
`

const log4j2Config = `appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = ` + logMarker + `%p|%c{1}|%m%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = out
`

// command builds the JVM command line. Logging is configured for both
// log4j generations (older installs read log4j 1 properties, 5.17+ log4j2);
// base, conf and data point at tmp so the tool never writes into a
// broker's home.
func (o *openWire) command(ctx context.Context, tmp, tool string, args []string) (*exec.Cmd, error) {
	l1 := filepath.Join(tmp, "log4j.properties")
	l2 := filepath.Join(tmp, "log4j2.properties")
	if err := os.WriteFile(l1, []byte(log4j1Config), 0o600); err != nil {
		return nil, fmt.Errorf("logging config for the %s tool: %w", tool, err)
	}
	if err := os.WriteFile(l2, []byte(log4j2Config), 0o600); err != nil {
		return nil, fmt.Errorf("logging config for the %s tool: %w", tool, err)
	}
	jvm := []string{
		"-Xmx256m",
		"-Dlog4j.configuration=" + (&url.URL{Scheme: "file", Path: l1}).String(),
		"-Dlog4j2.configurationFile=" + l2,
		"-Dactivemq.home=" + o.opts.Home,
		"-Dactivemq.base=" + tmp,
		"-Dactivemq.conf=" + tmp,
		"-Dactivemq.data=" + tmp,
		"-jar", o.jar, tool,
	}
	cmd := exec.CommandContext(ctx, o.java, append(jvm, args...)...)
	cmd.Dir = tmp
	cmd.WaitDelay = 5 * time.Second
	return cmd, nil
}

// probe explains why each broker of the URL cannot be reached, for the
// error of a tool that never connected.
func (o *openWire) probe(ctx context.Context, why string, took time.Duration) *ConnectError {
	e := &ConnectError{Why: why, Elapsed: took, Passes: 1}
	for _, b := range o.u.Brokers {
		d := net.Dialer{Timeout: 2 * time.Second}
		c, err := d.DialContext(ctx, "tcp", b.Addr())
		if err == nil {
			c.Close()
			err = errors.New("accepts TCP connections but ActiveMQ's client did not finish connecting (is it an OpenWire port?)")
		}
		e.Tried = append(e.Tried, Attempt{Broker: b.String(), Err: err})
	}
	return e
}
