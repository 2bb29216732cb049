package client

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/go-stomp/stomp/v3/frame"
)

// Timeouts of one STOMP connection.
const (
	connectTimeout    = 10 * time.Second // TCP connect plus CONNECT/CONNECTED
	writeTimeout      = 10 * time.Second // a broker that takes no bytes for this long is gone
	disconnectTimeout = 2 * time.Second  // waiting for DISCONNECT's receipt on Close
	inboxSize         = 1024             // frames read ahead; more than any window or prefetch we use
)

// session is one STOMP connection on go-stomp's frame codec. go-stomp's Conn
// waits for each receipt under a lock, which allows a single send in flight;
// the session instead pipelines frames and lets the caller match receipts.
//
// One goroutine reads frames into inbox; the operation's goroutine writes
// and calls next. A session is never reused after it failed.
type session struct {
	broker   Broker
	patience time.Duration // how long a reply may take before the connection counts as dead
	nc       net.Conn
	bw       *bufio.Writer // batches frames into few syscalls; flushed by flush
	fw       *frame.Writer
	version  string
	inbox    chan *frame.Frame
	done     chan struct{} // closed when the reader stops; err says why
	err      error
	closing  chan struct{}
	once     sync.Once
}

// dialSession connects to b and performs the STOMP handshake. patience is
// how long later replies may take before the connection counts as dead.
func dialSession(ctx context.Context, b Broker, patience time.Duration) (*session, error) {
	d := net.Dialer{Timeout: connectTimeout}
	nc, err := d.DialContext(ctx, "tcp", b.Addr())
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(connectTimeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = nc.SetDeadline(deadline)
	s := &session{
		broker:   b,
		patience: patience,
		nc:       nc,
		bw:       bufio.NewWriterSize(nc, 64<<10),
		inbox:    make(chan *frame.Frame, inboxSize),
		done:     make(chan struct{}),
		closing:  make(chan struct{}),
	}
	s.fw = frame.NewWriter(s.bw)
	r := frame.NewReader(nc)
	connected, err := s.handshake(r)
	if err != nil {
		nc.Close()
		return nil, err
	}
	_ = nc.SetDeadline(time.Time{})
	s.version = connected.Header.Get(frame.Version)
	go s.read(r)
	return s, nil
}

func (s *session) handshake(r *frame.Reader) (*frame.Frame, error) {
	connect := frame.New(frame.CONNECT,
		frame.AcceptVersion, "1.1,1.2",
		frame.Host, s.broker.Host,
		frame.HeartBeat, "0,0")
	if err := s.fw.Write(connect); err != nil {
		return nil, err
	}
	if err := s.bw.Flush(); err != nil {
		return nil, err
	}
	for {
		f, err := r.Read()
		switch {
		case err != nil:
			return nil, fmt.Errorf("no CONNECTED reply: %w", err)
		case f == nil: // heart-beat
			continue
		case f.Command == frame.CONNECTED:
			return f, nil
		case f.Command == frame.ERROR:
			return nil, s.brokerError(f)
		default:
			return nil, fmt.Errorf("%s answered CONNECT with %s; is this a STOMP port?", s.broker, f.Command)
		}
	}
}

func (s *session) read(r *frame.Reader) {
	for {
		f, err := r.Read()
		if err != nil {
			s.fail(err)
			return
		}
		if f == nil {
			continue
		}
		select {
		case s.inbox <- f:
		case <-s.closing:
			s.fail(errors.New("closed"))
			return
		}
	}
}

func (s *session) fail(err error) {
	s.once.Do(func() {
		s.err = err
		close(s.done)
	})
}

// write queues f; flush sends what is queued.
func (s *session) write(f *frame.Frame) error {
	_ = s.nc.SetWriteDeadline(time.Now().Add(writeTimeout))
	return s.fw.Write(f)
}

func (s *session) flush() error {
	_ = s.nc.SetWriteDeadline(time.Now().Add(writeTimeout))
	return s.bw.Flush()
}

// errWait is next's answer when its timer fired first.
var errWait = errors.New("timer expired")

// next returns the next frame, errWait when wait fires first, the
// connection's failure, or ctx's error. Frames that arrived before the
// connection broke are returned before the failure.
func (s *session) next(ctx context.Context, wait <-chan time.Time) (*frame.Frame, error) {
	select {
	case f := <-s.inbox:
		return f, nil
	default:
	}
	select {
	case f := <-s.inbox:
		return f, nil
	case <-s.done:
		select {
		case f := <-s.inbox:
			return f, nil
		default:
			return nil, s.err
		}
	case <-wait:
		return nil, errWait
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// request writes f with a receipt header and waits for that receipt,
// skipping other frames (leftovers of an earlier subscription).
func (s *session) request(ctx context.Context, f *frame.Frame, receipt string) error {
	f.Header.Set(frame.Receipt, receipt)
	if err := s.write(f); err != nil {
		return err
	}
	if err := s.flush(); err != nil {
		return err
	}
	timer := time.NewTimer(s.patience)
	defer timer.Stop()
	for {
		got, err := s.receive(ctx, timer.C)
		if err != nil {
			return err
		}
		if got.Command == frame.RECEIPT && got.Header.Get(frame.ReceiptId) == receipt {
			return nil
		}
	}
}

// receive is next for callers whose timer guards against a silent broker:
// the timer firing means the connection is dead, and an ERROR frame
// becomes a *BrokerError.
func (s *session) receive(ctx context.Context, wait <-chan time.Time) (*frame.Frame, error) {
	f, err := s.next(ctx, wait)
	switch {
	case err == errWait:
		return nil, s.silent()
	case err != nil:
		return nil, err
	case f.Command == frame.ERROR:
		return nil, s.brokerError(f)
	}
	return f, nil
}

// silent is the error for a broker that stopped answering.
func (s *session) silent() error {
	return fmt.Errorf("no answer from %s within %s; treating the connection as dead", s.broker, s.patience)
}

func (s *session) brokerError(f *frame.Frame) *BrokerError {
	return &BrokerError{Broker: s.broker.String(), Message: f.Header.Get(frame.Message), Body: string(f.Body), receipt: f.Header.Get(frame.ReceiptId)}
}

// close ends the connection politely: DISCONNECT with a receipt means the
// broker has processed every frame before it (acknowledgements included).
func (s *session) close() error {
	select {
	case <-s.done:
	default:
		ctx, cancel := context.WithTimeout(context.Background(), disconnectTimeout)
		_ = s.request(ctx, frame.New(frame.DISCONNECT), "bye")
		cancel()
	}
	return s.abort()
}

// abort drops the connection without a goodbye.
func (s *session) abort() error {
	select {
	case <-s.closing:
		return nil
	default:
		close(s.closing)
	}
	return s.nc.Close()
}
