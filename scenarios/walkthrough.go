package scenarios

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/amqlab/amqlab/client"
	"github.com/amqlab/amqlab/cluster"
)

// WalkthroughOptions shape a walkthrough.
type WalkthroughOptions struct {
	// Dir is the lab directory; it must not exist or be empty, because the
	// walkthrough starts from nothing and deletes the lab at the end. Empty
	// means a new temporary directory.
	Dir     string
	Plan    cluster.PlanOptions    // ports, host, lock interval …
	Install cluster.InstallOptions // where ActiveMQ comes from (Dist, Search)
	Driver  string                 // client.DriverStomp (default) or client.DriverOpenWire
	Queue   string                 // default DefaultWalkthroughQueue
	// Keep leaves the lab running (brokers detached) instead of deleting it.
	Keep     bool
	Reporter StepReporter
	// StepTimeout bounds each step; default DefaultStepTimeout.
	StepTimeout time.Duration
}

// DefaultWalkthroughQueue is the queue of the classic walkthrough.
const DefaultWalkthroughQueue = "queue://test"

// DefaultStepTimeout bounds one walkthrough step on a busy machine.
const DefaultStepTimeout = 2 * time.Minute

// WalkthroughReport is the machine-readable record of a walkthrough.
type WalkthroughReport struct {
	Lab     string  `json:"lab"`
	Version string  `json:"activemq_version,omitempty"`
	Driver  string  `json:"driver"`
	URL     string  `json:"url,omitempty"`
	Steps   []Step  `json:"steps"`
	OK      bool    `json:"ok"`
	Seconds float64 `json:"seconds"`
	Kept    bool    `json:"kept"` // the lab was left in place
}

// walk is the state the steps hand on to each other.
type walk struct {
	o       WalkthroughOptions
	dir     string
	lab     *cluster.Lab
	network bool // the user's plan wants network connectors
	client  *labClient
	master  string
	slaves  []string
	body    []byte
	msgID   string
}

// Walkthrough replays the classic single-machine master-slave walkthrough
// in a fresh lab: install twice, configure, start each broker alone, share
// the store, start both, send and browse through the failover URL, stop the
// master, browse again, bring the old master back. Every step records its
// evidence and verdict; the walkthrough stops at the first failed step and
// then returns an error along with the report.
func Walkthrough(ctx context.Context, o WalkthroughOptions) (*WalkthroughReport, error) {
	start := time.Now()
	if o.Reporter == nil {
		o.Reporter = quietSteps{}
	}
	if o.Queue == "" {
		o.Queue = DefaultWalkthroughQueue
	}
	if o.StepTimeout <= 0 {
		o.StepTimeout = DefaultStepTimeout
	}
	if o.Driver == "" {
		o.Driver = client.DriverStomp
	}
	if o.Driver != client.DriverStomp && o.Driver != client.DriverOpenWire {
		return nil, fmt.Errorf("unknown driver %q; use %s or %s", o.Driver, client.DriverStomp, client.DriverOpenWire)
	}
	dir, err := freshDir(o.Dir)
	if err != nil {
		return nil, err
	}
	w := &walk{o: o, dir: dir, network: !o.Plan.NoNetworkConnectors}
	rep := &WalkthroughReport{Lab: dir, Driver: o.Driver, Steps: []Step{}}
	var failed error
	steps := w.steps()
	for i, s := range steps {
		s.info.Number, s.info.Of = i+1, len(steps)
		st, err := w.run(ctx, s)
		rep.Steps = append(rep.Steps, st)
		if err != nil {
			failed = fmt.Errorf("step %q failed: %w", st.Title, err)
			break
		}
	}
	if w.client != nil {
		rep.URL = w.client.URL
		w.client.Close()
	}
	if w.lab != nil && w.lab.Dist() != nil {
		rep.Version = w.lab.Dist().Version
	}
	if err := w.teardown(ctx, dir); err != nil {
		failed = errors.Join(failed, err)
	}
	rep.Kept = o.Keep
	rep.OK = failed == nil
	rep.Seconds = time.Since(start).Seconds()
	return rep, failed
}

// walkStep is one step of the walkthrough. commands, when set, names the
// commands once earlier steps know which broker is master.
type walkStep struct {
	info     Step
	do       func(context.Context, *stepRun) error
	commands func() []string
}

func (w *walk) run(parent context.Context, s walkStep) (Step, error) {
	ctx, cancel := context.WithTimeout(parent, w.o.StepTimeout)
	defer cancel()
	if s.commands != nil {
		s.info.Commands = s.commands()
	}
	r := beginStep(w.o.Reporter, s.info)
	err := s.do(ctx, r)
	return r.end(err), err
}

// freshDir makes sure dir is new or empty, creating a temporary one when
// dir is empty.
func freshDir(dir string) (string, error) {
	if dir == "" {
		d, err := os.MkdirTemp("", "amqlab-walkthrough-")
		if err != nil {
			return "", fmt.Errorf("create a directory for the walkthrough lab: %w", err)
		}
		return d, nil
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("walkthrough directory: %w", err)
	}
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return dir, nil
	case err != nil:
		return "", fmt.Errorf("walkthrough directory %s: %w", dir, err)
	case len(entries) > 0:
		return "", fmt.Errorf("walkthrough directory %s is not empty; the walkthrough starts from nothing and deletes its lab at the end, so give a new or empty directory (or leave --dir out for a temporary one)", dir)
	}
	return dir, nil
}

// teardown deletes the lab unless asked to keep it. A lab the walkthrough
// never created leaves only its directory to remove.
func (w *walk) teardown(ctx context.Context, dir string) error {
	if w.o.Keep {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.o.StepTimeout)
	defer cancel()
	if w.lab != nil {
		if err := w.lab.Purge(ctx, 0); err != nil {
			return fmt.Errorf("tear down the walkthrough lab: %w", err)
		}
		return nil
	}
	return os.RemoveAll(dir)
}
