package client

import (
	"net"
	"strconv"
	"sync"
	"testing"

	"github.com/go-stomp/stomp/v3/frame"
)

// fakeBroker is a STOMP server for the cases a real broker cannot be made to
// produce on demand: refusing CONNECT, going silent while keeping the
// connection open, or dropping the connection after an exact number of
// receipts.
type fakeBroker struct {
	t      *testing.T
	ln     net.Listener
	refuse string // if set, answer CONNECT with an ERROR with this message
	silent bool   // accept SENDs but never send a receipt
	dieAt  int    // if > 0, die like a killed broker on this SEND (1-based): stop listening, drop every connection

	mu     sync.Mutex
	bodies []string // SEND bodies received, in order
	conns  []net.Conn
	wg     sync.WaitGroup
}

func newFakeBroker(t *testing.T) *fakeBroker {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeBroker{t: t, ln: ln}
	f.wg.Add(1)
	go f.serve()
	t.Cleanup(func() { f.close(); f.wg.Wait() })
	return f
}

func (f *fakeBroker) url() string { return "stomp://" + f.ln.Addr().String() }

func (f *fakeBroker) received() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.bodies...)
}

// close stops listening and drops every connection.
func (f *fakeBroker) close() {
	f.ln.Close()
	f.mu.Lock()
	for _, c := range f.conns {
		c.Close()
	}
	f.mu.Unlock()
}

func (f *fakeBroker) serve() {
	defer f.wg.Done()
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.mu.Lock()
		f.conns = append(f.conns, c)
		f.mu.Unlock()
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			defer c.Close()
			f.session(c)
		}()
	}
}

func (f *fakeBroker) session(c net.Conn) {
	r, w := frame.NewReader(c), frame.NewWriter(c)
	sends := 0
	for {
		in, err := r.Read()
		if err != nil {
			return
		}
		if in == nil {
			continue
		}
		switch in.Command {
		case frame.CONNECT, frame.STOMP:
			if f.refuse != "" {
				e := frame.New(frame.ERROR, frame.Message, f.refuse)
				e.Body = []byte("org.example.SecurityException: " + f.refuse)
				_ = w.Write(e)
				return
			}
			_ = w.Write(frame.New(frame.CONNECTED, frame.Version, "1.2", frame.Session, "fake"))
		case frame.SEND:
			sends++
			if f.dieAt > 0 && sends >= f.dieAt {
				go f.close()
				return
			}
			f.mu.Lock()
			f.bodies = append(f.bodies, string(in.Body))
			f.mu.Unlock()
			if !f.silent {
				_ = w.Write(frame.New(frame.RECEIPT, frame.ReceiptId, in.Header.Get(frame.Receipt)))
			}
		case frame.DISCONNECT:
			_ = w.Write(frame.New(frame.RECEIPT, frame.ReceiptId, in.Header.Get(frame.Receipt)))
			return
		}
	}
}

// numbered makes n messages whose bodies are their indices.
func numbered(n int) []Message {
	msgs := make([]Message, n)
	for i := range msgs {
		msgs[i] = Message{Body: []byte(strconv.Itoa(i))}
	}
	return msgs
}
