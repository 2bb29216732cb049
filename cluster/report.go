package cluster

import "io"

// Reporter receives what a long operation does, so the CLI can show named
// steps with ✓/✗, warnings and progress bars while the Go API stays silent.
type Reporter interface {
	// Step announces a named step; the returned func ends it with its result.
	Step(name string) (done func(error))
	Warn(msg string)
	Info(msg string)
	// Progress returns a writer that counts bytes towards total (-1: unknown).
	Progress(label string, total int64) io.WriteCloser
}

// Quiet is a Reporter that reports nothing; the default for API users.
type Quiet struct{}

func (Quiet) Step(string) func(error) { return func(error) {} }
func (Quiet) Warn(string)             {}
func (Quiet) Info(string)             {}
func (Quiet) Progress(string, int64) io.WriteCloser {
	return nopWriteCloser{}
}

type nopWriteCloser struct{}

func (nopWriteCloser) Write(p []byte) (int, error) { return len(p), nil }
func (nopWriteCloser) Close() error                { return nil }

func reporterOrQuiet(r Reporter) Reporter {
	if r == nil {
		return Quiet{}
	}
	return r
}
