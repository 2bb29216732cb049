// Package cluster builds and runs an ActiveMQ Classic shared-store
// master-slave lab on one machine: it plans brokers, ports and directories,
// installs one full ActiveMQ home per broker, configures each for the shared
// KahaDB store, and supervises the broker JVMs.
package cluster

import (
	"fmt"
	"os"
	"sync"
)

// Lab is a lab directory and what it records. A Lab holds no global state;
// several labs may live in one process (tests do this).
type Lab struct {
	state *State
	// reapers counts the brokers this process started and has not reaped
	// yet; Down waits for them so that no exit record is written into the
	// lab after it returns (a caller may delete the lab right away).
	reapers sync.WaitGroup

	mu           sync.Mutex
	javaVerified string // launcher and minimum version that already passed the check
}

// Create plans a new lab in dir and records the plan. An existing lab in dir
// is an error unless its plan is replaced on purpose with Replan.
func Create(dir string, opts PlanOptions) (*Lab, error) {
	if _, err := LoadState(dir); err == nil {
		return nil, fmt.Errorf("%s already holds a lab; use it as it is, or remove it with 'amqlab down --purge'", dir)
	}
	plan, err := NewPlan(dir, opts)
	if err != nil {
		return nil, err
	}
	if err := ensureWritableDir(plan.Dir, "lab directory", "choose another with --dir", "choose another with --dir"); err != nil {
		return nil, err
	}
	l := &Lab{state: &State{Plan: plan}}
	return l, l.state.Save()
}

// Open loads the lab recorded in dir.
func Open(dir string) (*Lab, error) {
	s, err := LoadState(dir)
	if err != nil {
		return nil, err
	}
	return &Lab{state: s}, nil
}

// Plan returns the lab's plan. Callers must not modify it.
func (l *Lab) Plan() *Plan { return l.state.Plan }

// Dist returns what was installed, or nil before the first install.
func (l *Lab) Dist() *Distribution { return l.state.Dist }

// Dir is the lab directory.
func (l *Lab) Dir() string { return l.state.Plan.Dir }

// Replan replaces the lab's plan (for example other ports) and saves it;
// Configure must run afterwards to apply it to the installed brokers.
func (l *Lab) Replan(opts PlanOptions) error {
	plan, err := NewPlan(l.Dir(), opts)
	if err != nil {
		return err
	}
	l.state.Plan = plan
	return l.state.Save()
}

func (l *Lab) save() error { return l.state.Save() }

// ensureWritableDir creates dir if needed and proves it writable by making
// and removing a file in it; what names the directory in errors and the
// fixes say what to do when it cannot be created or written.
func ensureWritableDir(dir, what, createFix, writeFix string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("%s %s cannot be created: %w; %s", what, dir, err, createFix)
	}
	f, err := os.CreateTemp(dir, ".write-test-*")
	if err != nil {
		return fmt.Errorf("%s %s is not writable: %w; %s", what, dir, err, writeFix)
	}
	f.Close()
	return os.Remove(f.Name())
}
