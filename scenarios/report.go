package scenarios

import (
	"fmt"
	"time"
)

// Kinds of evidence a step captures.
const (
	EvidenceLog     = "log"     // a line of a broker's console
	EvidencePort    = "port"    // a listening port and the process behind it
	EvidenceMessage = "message" // a message id sent or browsed
	EvidenceClient  = "client"  // where the client connected
	EvidenceConfig  = "config"  // a configuration change or setting
	EvidenceDiff    = "diff"    // a line of a unified diff of a configuration file
	EvidenceRole    = "role"    // a broker's role and pid
	EvidenceNote    = "note"    // anything else worth showing
)

// Evidence is one fact a step captured, so that a reader can check the
// step's verdict for themselves.
type Evidence struct {
	Kind   string `json:"kind"`
	Broker string `json:"broker,omitempty"`
	Text   string `json:"text"`
}

func (e Evidence) String() string {
	if e.Broker == "" {
		return e.Text
	}
	return e.Broker + ": " + e.Text
}

// Step is one step of a scenario: what it does and why, the amqlab commands
// a person would type for it, what it saw, and its verdict.
type Step struct {
	Name     string     `json:"name"`
	Number   int        `json:"number"` // 1-based position in the scenario
	Of       int        `json:"of"`     // steps in the scenario
	Title    string     `json:"title"`
	Why      string     `json:"why"`
	Commands []string   `json:"commands"`
	Evidence []Evidence `json:"evidence"`
	OK       bool       `json:"ok"`
	Error    string     `json:"error,omitempty"`
	Seconds  float64    `json:"seconds"`
}

// StepReporter is told about each step as it happens. Evidence arrives
// while the step runs; StepEnded carries the verdict. A reporter may block
// in StepEnded (to pause between steps); the scenario waits for it.
type StepReporter interface {
	StepStarted(s Step)
	Evidence(step string, e Evidence)
	StepEnded(s Step)
}

type quietSteps struct{}

func (quietSteps) StepStarted(Step)          {}
func (quietSteps) Evidence(string, Evidence) {}
func (quietSteps) StepEnded(Step)            {}

// stepRun records one running step and forwards what it captures.
type stepRun struct {
	step  *Step
	rep   StepReporter
	start time.Time
}

func beginStep(rep StepReporter, s Step) *stepRun {
	s.Evidence = []Evidence{}
	r := &stepRun{step: &s, rep: rep, start: time.Now()}
	rep.StepStarted(s)
	return r
}

// note records a fact; broker may be empty.
func (r *stepRun) note(kind, broker, format string, args ...any) {
	e := Evidence{Kind: kind, Broker: broker, Text: fmt.Sprintf(format, args...)}
	r.step.Evidence = append(r.step.Evidence, e)
	r.rep.Evidence(r.step.Name, e)
}

// add records facts gathered elsewhere.
func (r *stepRun) add(es []Evidence) {
	for _, e := range es {
		r.note(e.Kind, e.Broker, "%s", e.Text)
	}
}

// end sets the verdict from err and reports it.
func (r *stepRun) end(err error) Step {
	r.step.Seconds = time.Since(r.start).Seconds()
	r.step.OK = err == nil
	if err != nil {
		r.step.Error = err.Error()
	}
	r.rep.StepEnded(*r.step)
	return *r.step
}
