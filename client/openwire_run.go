package client

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// run executes one tool and feeds its output to onLine line by line. It
// ends the tool when onLine fails, when no broker was connected within the
// URL's timeout, when idle passes without a log line after connecting,
// or when ctx ends.
func (o *openWire) run(ctx context.Context, tmp, tool string, args []string, idle time.Duration, onLine func(toolLine) error) error {
	ctx, kill := context.WithCancel(ctx)
	defer kill()
	cmd, err := o.command(ctx, tmp, tool, args)
	if err != nil {
		return err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("pipe for the %s tool: %w", tool, err)
	}
	defer r.Close()
	cmd.Stdout, cmd.Stderr = w, w
	start := time.Now()
	if err := cmd.Start(); err != nil {
		w.Close()
		return fmt.Errorf("starting %s %s: %w", o.java, tool, err)
	}
	w.Close()
	lines := make(chan string)
	go readLines(r, lines)

	var connectC <-chan time.Time
	if o.u.Policy.Timeout > 0 {
		t := time.NewTimer(o.u.Policy.Timeout)
		defer t.Stop()
		connectC = t.C
	}
	quiet := newIdleTimer(0)
	defer quiet.stop()
	connected := false
	var complaints []string // WARN and ERROR lines, for the error message
	var stop error
	idled, exited := false, false
loop:
	for {
		select {
		case raw, ok := <-lines:
			if !ok {
				exited = true
				break loop
			}
			if o.opts.Verbose != nil {
				fmt.Fprintln(o.opts.Verbose, raw)
			}
			l := parseToolLine(raw)
			if l.event != nil {
				o.opts.emit(*l.event)
				if l.event.Kind == Connected && !connected {
					connected, connectC = true, nil
					quiet = newIdleTimer(idle)
				}
				if l.event.Kind == ToolOutput {
					complaints = append(complaints, l.event.Text)
				}
			}
			if l.log && connected {
				quiet.reset()
			}
			if err := onLine(l); err != nil {
				stop = err
				break loop
			}
		case <-connectC:
			stop = o.probe(context.WithoutCancel(ctx), fmt.Sprintf("the %s tool did not connect within %s", tool, o.u.Policy.Timeout), time.Since(start))
			break loop
		case <-quiet.c():
			idled = true // a normal end for a consumer
			break loop
		case <-ctx.Done():
			stop = ctx.Err()
			break loop
		}
	}
	if !exited {
		kill() // ending it early; a tool that closed its output is left to exit by itself
		go func() {
			for range lines { // let the reader finish
			}
		}()
	}
	waitErr := cmd.Wait()
	switch {
	case stop != nil:
		return stop
	case waitErr == nil || idled:
		return nil
	case !connected:
		return o.probe(context.Background(), fmt.Sprintf("the %s tool gave up: %s", tool, lastOr(complaints, waitErr.Error())), time.Since(start))
	default:
		return fmt.Errorf("the %s tool failed (%v): %s; run with -v to see its output", tool, waitErr, lastOr(complaints, "no warning logged"))
	}
}

func lastOr(lines []string, fallback string) string {
	if len(lines) == 0 {
		return fallback
	}
	return lines[len(lines)-1]
}

func readLines(r io.Reader, out chan<- string) {
	defer close(out)
	br := bufio.NewReader(r)
	for {
		s, err := br.ReadString('\n')
		if s != "" {
			out <- strings.TrimRight(s, "\r\n")
		}
		if err != nil {
			return
		}
	}
}

// parseToolLine splits a log line and recognises the failover transport's
// connection news.
func parseToolLine(raw string) toolLine {
	l := toolLine{raw: raw}
	rest, ok := strings.CutPrefix(raw, logMarker)
	if !ok {
		return l
	}
	parts := strings.SplitN(rest, "|", 3)
	if len(parts) != 3 {
		return l
	}
	l.log, l.level, l.logger, l.msg = true, parts[0], parts[1], parts[2]
	switch {
	case l.logger == "FailoverTransport" && strings.HasPrefix(l.msg, "Successfully connected to "):
		l.event = &Event{Kind: Connected, Broker: strings.TrimSpace(strings.TrimPrefix(l.msg, "Successfully connected to "))}
	case l.logger == "FailoverTransport" && strings.Contains(l.msg, "not attempting to automatically reconnect"):
		// the tool closing its connection at the end: not news
	case l.logger == "FailoverTransport" && strings.HasPrefix(l.msg, "Transport ("):
		broker, why, _ := strings.Cut(strings.TrimPrefix(l.msg, "Transport ("), ")")
		_, why, _ = strings.Cut(why, ": ")
		l.event = &Event{Kind: Disconnected, Broker: broker, Err: errors.New(strings.TrimSpace(why))}
	case l.level == "WARN" || l.level == "ERROR" || l.level == "FATAL":
		l.event = &Event{Kind: ToolOutput, Text: l.level + " " + l.logger + ": " + l.msg}
	}
	return l
}
