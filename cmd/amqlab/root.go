package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// app carries the root flags and output settings to every command.
type app struct {
	dir     string
	verbose bool
	noColor bool
	color   bool // resolved: terminal, no --no-color, no NO_COLOR
	tty     bool // stderr is a terminal: spinners and progress bars allowed
	out     io.Writer
	errOut  io.Writer
}

var commandFactories []func(*app) *cobra.Command

// register adds a command to the root; each command file calls it from init.
func register(f func(*app) *cobra.Command) { commandFactories = append(commandFactories, f) }

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "amqlab",
		Short: "Build, run and break an ActiveMQ Classic master-slave lab on one machine",
		Long: `amqlab sets up a shared-store master-slave cluster of ActiveMQ Classic brokers on
this machine: one full ActiveMQ home per broker, distinct ports, one shared KahaDB
directory. It starts the brokers, shows which one holds the store lock (the master),
lets you send and browse messages through a failover URL, kill the master and watch
a slave take over, and tears everything down again.`,
		Example: `  amqlab up                      # install, configure and run a 2-broker lab in ./amq-lab
  amqlab status                  # who is master, who waits
  amqlab send -n 5 && amqlab browse
  amqlab kill amq61616           # crash the master, watch amq61617 take the lock
  amqlab down --purge --yes      # stop everything and remove the lab`,
		SilenceUsage:      true,
		SilenceErrors:     true,
		CompletionOptions: cobra.CompletionOptions{HiddenDefaultCmd: false},
		PersistentPreRun: func(cmd *cobra.Command, args []string) {
			a.resolveOutput()
		},
	}
	defDir := os.Getenv("AMQLAB_DIR")
	if defDir == "" {
		defDir = "amq-lab"
	}
	pf := root.PersistentFlags()
	pf.StringVar(&a.dir, "dir", defDir, "lab directory (env AMQLAB_DIR)")
	pf.BoolVarP(&a.verbose, "verbose", "v", false, "show more detail, including JVM output of client tools")
	pf.BoolVar(&a.noColor, "no-color", false, "disable colour (also: NO_COLOR set, or output is not a terminal)")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageError{fmt.Errorf("%w (see '%s --help')", err, cmd.CommandPath())}
	})
	for _, f := range commandFactories {
		root.AddCommand(f(a))
	}
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Example = `  source <(amqlab completion bash)                 # this shell only
  amqlab completion zsh > "${fpath[1]}/_amqlab"    # every new zsh`
		}
	}
	return root
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the CLI and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	a := &app{out: stdout, errOut: stderr}
	root := newRootCmd(a)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "amqlab: %v\n", err)
	return exitCodeOf(err)
}

// usageError marks errors in how amqlab was called (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// exitCode attaches a specific exit code to an error, for example 3 for
// "no broker reachable" so scripts can tell it from bad input.
type exitCode struct {
	code int
	err  error
}

func (e exitCode) Error() string { return e.err.Error() }
func (e exitCode) Unwrap() error { return e.err }

// Exit codes scripts can rely on.
const (
	exitFailure     = 1
	exitUsage       = 2
	exitUnreachable = 3
)

func exitCodeOf(err error) int {
	var ec exitCode
	if errors.As(err, &ec) {
		return ec.code
	}
	var ue usageError
	if errors.As(err, &ue) || isCobraUsageError(err) {
		return exitUsage
	}
	return exitFailure
}
