package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"

	"github.com/amqlab/amqlab/cluster"
)

// resolveOutput decides colour and TTY behaviour once flags are parsed.
func (a *app) resolveOutput() {
	a.tty = isTerminal(a.errOut)
	_, noColorEnv := os.LookupEnv("NO_COLOR")
	a.color = !a.noColor && !noColorEnv && isTerminal(a.out)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

// palette is the sequence of broker colours, like goreman's: distinct and
// readable on dark and light backgrounds.
var palette = []string{"36", "33", "35", "32", "34", "91", "96", "93"}

// paint colours s with palette entry i when colour is on.
func (a *app) paint(i int, s string) string {
	if !a.color {
		return s
	}
	return "\x1b[" + palette[i%len(palette)] + "m" + s + "\x1b[0m"
}

func (a *app) green(s string) string { return a.ansi("32", s) }
func (a *app) red(s string) string   { return a.ansi("31", s) }
func (a *app) dim(s string) string   { return a.ansi("2", s) }
func (a *app) bold(s string) string  { return a.ansi("1", s) }

func (a *app) ansi(code, s string) string {
	if !a.color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// mark renders a check result.
func (a *app) mark(ok bool) string {
	if ok {
		return a.green("✓")
	}
	return a.red("✗")
}

// printJSON writes v as indented JSON for scripts.
func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// openLab opens the lab in --dir.
func (a *app) openLab() (*cluster.Lab, error) { return cluster.Open(a.dir) }

// reporter shows named steps as ✓/✗ lines, warnings and progress bars on
// stderr; it stays plain when stderr is not a terminal.
func (a *app) reporter() cluster.Reporter { return &stepReporter{a: a} }

type stepReporter struct {
	a       *app
	mu      sync.Mutex
	pending string // a step line shown without its result yet (TTY only)
}

func (r *stepReporter) Step(name string) func(error) {
	start := time.Now()
	r.mu.Lock()
	r.breakLine()
	if r.a.tty {
		fmt.Fprintf(r.a.errOut, " • %s …", name)
		r.pending = name
	}
	r.mu.Unlock()
	return func(err error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.pending == name {
			fmt.Fprint(r.a.errOut, "\r\x1b[K")
			r.pending = ""
		} else {
			r.breakLine()
		}
		took := time.Since(start).Round(10 * time.Millisecond)
		if err != nil {
			fmt.Fprintf(r.a.errOut, " %s %s: %v\n", r.a.mark(false), name, err)
			return
		}
		fmt.Fprintf(r.a.errOut, " %s %s %s\n", r.a.mark(true), name, r.a.dim("("+took.String()+")"))
	}
}

// breakLine ends a pending step line so that other output starts on its own line.
func (r *stepReporter) breakLine() {
	if r.pending != "" {
		fmt.Fprintln(r.a.errOut)
		r.pending = ""
	}
}

func (r *stepReporter) Warn(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.breakLine()
	fmt.Fprintf(r.a.errOut, " %s %s\n", r.a.ansi("33", "!"), msg)
}

func (r *stepReporter) Info(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.breakLine()
	fmt.Fprintf(r.a.errOut, "   %s\n", msg)
}

func (r *stepReporter) Progress(label string, total int64) io.WriteCloser {
	if !r.a.tty {
		return nopCloser{io.Discard}
	}
	r.mu.Lock()
	r.breakLine()
	r.mu.Unlock()
	bar := progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(r.a.errOut),
		progressbar.OptionSetDescription("   "+label),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionEnableColorCodes(r.a.color),
	)
	return barCloser{bar}
}

type barCloser struct{ *progressbar.ProgressBar }

func (b barCloser) Close() error { return b.Finish() }

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// isCobraUsageError recognises the argument errors cobra builds itself.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "accepts ", "requires at least", "requires at most", "invalid argument", "unknown flag", "unknown shorthand"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}
