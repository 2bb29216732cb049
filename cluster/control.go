package cluster

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"
)

// A foreground supervisor (amqlab up) listens on <lab>/run/control.sock.
// A start asked for from another terminal is then carried out by the
// supervisor, so the new broker is its child: its output shows in the
// supervisor's stream anyway, and now it also dies with the supervisor
// however that ends. Without a supervisor the broker starts detached.

func controlPath(labDir string) string { return filepath.Join(runDir(labDir), "control.sock") }

// controlRequest asks a supervisor to start brokers.
type controlRequest struct {
	Brokers  []string `json:"brokers"`
	Parallel bool     `json:"parallel"`
}

type controlReply struct {
	Error string `json:"error,omitempty"`
}

// controlStartTimeout bounds one start served for another process.
const controlStartTimeout = 2 * time.Minute

// errNoSupervisor means no foreground supervisor of the lab is listening.
var errNoSupervisor = errors.New("no supervisor listening")

// ServeControl accepts start requests from other amqlab processes until ctx
// ends and starts the brokers as children of this process. A second
// supervisor of the same lab finds the socket taken and returns at once.
func (l *Lab) ServeControl(ctx context.Context) error {
	path := controlPath(l.Dir())
	if conn, err := net.Dial("unix", path); err == nil {
		conn.Close()
		return nil // another supervisor serves this lab
	}
	_ = os.Remove(path) // left by a supervisor that was killed
	if err := os.MkdirAll(runDir(l.Dir()), 0o755); err != nil {
		return err
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("control socket %s: %w", path, err)
	}
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	defer os.Remove(path)
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("control socket: %w", err)
		}
		go l.serveStart(ctx, conn)
	}
}

func (l *Lab) serveStart(ctx context.Context, conn net.Conn) {
	defer conn.Close()
	var req controlRequest
	if err := json.NewDecoder(bufio.NewReader(conn)).Decode(&req); err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, controlStartTimeout)
	defer cancel()
	var reply controlReply
	if err := l.Start(ctx, StartOptions{Brokers: req.Brokers, Parallel: req.Parallel}); err != nil {
		reply.Error = err.Error()
	}
	_ = json.NewEncoder(conn).Encode(reply)
}

// askSupervisor has the lab's foreground supervisor start the brokers.
func (l *Lab) askSupervisor(ctx context.Context, opts StartOptions) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", controlPath(l.Dir()))
	if err != nil {
		return errNoSupervisor
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if err := json.NewEncoder(conn).Encode(controlRequest{Brokers: opts.Brokers, Parallel: opts.Parallel}); err != nil {
		return fmt.Errorf("ask the running 'amqlab up' to start brokers: %w", err)
	}
	var reply controlReply
	if err := json.NewDecoder(conn).Decode(&reply); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("the running 'amqlab up' did not answer: %w", err)
	}
	if reply.Error != "" {
		return errors.New(reply.Error)
	}
	return nil
}
