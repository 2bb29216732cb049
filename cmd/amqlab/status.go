package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/amqlab/amqlab/cluster"
)

func init() { register(newStatusCmd) }

func newStatusCmd(a *app) *cobra.Command {
	var asJSON, watch bool
	var interval time.Duration
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show each broker's role, pid, ports and uptime",
		Long: `Show every broker of the lab: its pid, its role, the ports it listens on, how long
it has run, and which process holds the shared store's lock.

Roles come from facts, never from memory: a broker is master when it holds the
store lock (read from /proc/locks) and listens on its OpenWire port and logged that
it started; slave when it runs without the lock and logged that it waits for it;
starting when neither is true yet; stopped when it does not run; failed when it
ended while starting (its last log lines are shown). A lock held by a process that
is no broker of this lab, such as a JVM left from an earlier lab, is named.`,
		Example: `  amqlab status
  amqlab status --watch          # refresh every second until Ctrl+C
  amqlab status --json | jq -r '.[] | select(.role=="master") | .name'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			lab, err := a.openLab()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			for {
				if err := a.showStatus(ctx, lab, asJSON, watch); err != nil {
					return err
				}
				if !watch {
					return nil
				}
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(interval):
				}
			}
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print an array of brokers as JSON")
	cmd.Flags().BoolVarP(&watch, "watch", "w", false, "refresh until Ctrl+C")
	cmd.Flags().DurationVar(&interval, "interval", time.Second, "refresh interval for --watch")
	return cmd
}

func (a *app) showStatus(ctx context.Context, lab *cluster.Lab, asJSON, watch bool) error {
	st, err := lab.Status(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		return a.printJSON(st)
	}
	holder, err := lab.LockHolder(ctx)
	if err != nil {
		return err
	}
	if watch && a.color {
		fmt.Fprint(a.out, "\x1b[H\x1b[2J") // redraw in place on a terminal
	} else if watch {
		fmt.Fprintln(a.out)
	}
	a.printStatus(st, holder)
	return nil
}

func (a *app) printStatus(st []cluster.BrokerStatus, holder cluster.LockHolder) {
	rows := [][]string{{"BROKER", "PID", "ROLE", "OPENWIRE", "STOMP", "WEB", "LISTENING", "UPTIME"}}
	for _, s := range st {
		rows = append(rows, []string{s.Name, orDash(s.Pid), string(s.Role), strconv.Itoa(s.OpenWirePort),
			orDash(s.StompPort), strconv.Itoa(s.WebPort), joinPorts(s.Listening), uptime(s)})
	}
	printTable(a.out, rows, func(row, col int, cell string) string {
		switch {
		case row == 0:
			return cell
		case col == 0:
			return a.paint(row-1, cell)
		case col == 2:
			return a.paintRole(st[row-1].Role, cell)
		}
		return cell
	})
	lock := holder.String()
	if holder.Foreign() {
		lock = a.red(lock) + fmt.Sprintf(" (a JVM left from an earlier lab? 'ps -p %d', then 'kill %d')", holder.Pid, holder.Pid)
	}
	fmt.Fprintf(a.out, "\nstore lock  %s\n", lock)
	for _, s := range st {
		if s.Role != cluster.RoleFailed {
			continue
		}
		code := ""
		if s.ExitCode != nil {
			code = fmt.Sprintf(" (exit code %d)", *s.ExitCode)
		}
		fmt.Fprintf(a.out, "\n%s failed while starting%s; its log ends with:\n", s.Name, code)
		for _, l := range s.LastLines {
			fmt.Fprintf(a.out, "  %s\n", a.dim(l))
		}
		fmt.Fprintf(a.out, "see 'amqlab logs %s' and 'amqlab config diff'\n", s.Name)
	}
}

// printTable aligns columns by their plain text and colours cells after
// padding, so that colour codes never shift a column.
func printTable(w io.Writer, rows [][]string, paint func(row, col int, cell string) string) {
	var widths []int
	for _, r := range rows {
		for c, cell := range r {
			if c == len(widths) {
				widths = append(widths, 0)
			}
			widths[c] = max(widths[c], utf8.RuneCountInString(cell))
		}
	}
	for i, r := range rows {
		var b strings.Builder
		for c, cell := range r {
			if c == len(r)-1 {
				b.WriteString(paint(i, c, cell))
				break
			}
			pad := strings.Repeat(" ", widths[c]-utf8.RuneCountInString(cell)+2)
			b.WriteString(paint(i, c, cell) + pad)
		}
		fmt.Fprintln(w, b.String())
	}
}

func (a *app) paintRole(r cluster.Role, s string) string {
	switch r {
	case cluster.RoleMaster:
		return a.green(s)
	case cluster.RoleFailed:
		return a.red(s)
	case cluster.RoleStopped:
		return a.dim(s)
	}
	return s
}

func orDash(n int) string {
	if n == 0 {
		return "-"
	}
	return strconv.Itoa(n)
}

func joinPorts(ports []int) string {
	if len(ports) == 0 {
		return "-"
	}
	s := make([]string, len(ports))
	for i, p := range ports {
		s[i] = strconv.Itoa(p)
	}
	return strings.Join(s, ",")
}

func uptime(s cluster.BrokerStatus) string {
	if s.Pid == 0 {
		return "-"
	}
	return s.Uptime().String()
}
