package cluster

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Every launched broker leaves a run record under <lab>/run/ so that any
// later amqlab process can find it, and an exit record once a supervising
// amqlab saw it end. The pid alone is not trusted: a pid is reused by the
// kernel, so the record also keeps the process start time and an argument of
// the broker's command line, and a process must match all three before
// amqlab looks at it as a broker, let alone signals it.

// runRecord describes one launched broker process.
type runRecord struct {
	Pid        int       `json:"pid"`
	StartTicks uint64    `json:"start_ticks"` // /proc/<pid>/stat field 22
	Marker     string    `json:"marker"`      // an argument only this broker's JVM carries
	LogOffset  int64     `json:"log_offset"`  // console log size when this run began
	StartedAt  time.Time `json:"started_at"`
	Detached   bool      `json:"detached"` // outlives the amqlab that started it
	Stopping   bool      `json:"stopping"` // amqlab asked it to end; its exit is no failure
}

// exitRecord is written by the amqlab process that reaped a broker.
type exitRecord struct {
	Pid        int       `json:"pid"`
	StartTicks uint64    `json:"start_ticks"`
	Code       int       `json:"code"`             // exit status, or 128+signal as a shell reports it
	Signal     string    `json:"signal,omitempty"` // set when a signal ended the process
	At         time.Time `json:"at"`
}

func runDir(labDir string) string { return filepath.Join(labDir, "run") }

func runPath(labDir, name string) string {
	return filepath.Join(runDir(labDir), name+".json")
}

func exitPath(labDir, name string) string {
	return filepath.Join(runDir(labDir), name+".exit.json")
}

// brokerMarker is the command-line argument that names a broker's JVM.
func brokerMarker(b BrokerPlan) string { return "-Dactivemq.base=" + b.Home }

// writeJSON replaces path atomically. It never creates directories: a
// broker reaped after 'down --purge' must not bring the lab back.
func writeJSON(path string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(data, '\n'), 0o644)
}

// readJSON decodes path into v; a missing file reports found=false.
func readJSON(path string, v any) (found bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, fmt.Errorf("%s is damaged (%v); remove it, amqlab will treat the broker as stopped", path, err)
	}
	return true, nil
}

func readRun(labDir, name string) (*runRecord, error) {
	var r runRecord
	found, err := readJSON(runPath(labDir, name), &r)
	if !found {
		return nil, err
	}
	return &r, nil
}

func readExit(labDir, name string) (*exitRecord, error) {
	var e exitRecord
	found, err := readJSON(exitPath(labDir, name), &e)
	if !found {
		return nil, err
	}
	return &e, nil
}

func removeRun(labDir, name string) error {
	err := os.Remove(runPath(labDir, name))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove run record of %s: %w", name, err)
	}
	return nil
}

// alive reports whether the recorded process still runs and is still this
// broker: same pid, same start time, same command line marker, not a zombie.
func (r *runRecord) alive() bool {
	if r == nil || r.Pid <= 0 {
		return false
	}
	info, err := readProcInfo(procRoot, r.Pid)
	if err != nil || info.StartTime != r.StartTicks || info.State == 'Z' && !threadsLeft(procRoot, r.Pid) {
		return false
	}
	args, err := readCmdline(procRoot, r.Pid)
	return err == nil && slices.Contains(args, r.Marker)
}

// matches reports whether an exit record belongs to this run.
func (e *exitRecord) matches(r *runRecord) bool {
	return e != nil && r != nil && e.Pid == r.Pid && e.StartTicks == r.StartTicks
}
