package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/amqlab/amqlab/xmlpatch"
)

func init() { register(newConfigCmd) }

func newConfigCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show what amqlab set in the brokers' configuration files",
		Long: `amqlab configures every broker by editing its stock files, the same edits the
classic walkthrough makes by hand: broker name, one OpenWire and one STOMP connector
on the lab's ports, the shared KahaDB store with its locker, the complementary
network connectors, the web console's port, and a console log that shows the time.
The first edit of a file keeps the original next to it as <file>.orig.

'config diff' shows those edits; 'config show' the settings in effect.`,
		Example: `  amqlab config diff             # every edit, of every broker
  amqlab config show amq61617    # ports, store, locker, connectors of one broker`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newConfigDiffCmd(a), newConfigShowCmd(a))
	return cmd
}

func newConfigDiffCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "diff [broker...]",
		Short: "Show the edits of each broker's files as a unified diff against the originals",
		Long: `Show, per broker and file, a unified diff between the file as the release shipped
it (<file>.orig) and the file now: activemq.xml, the web console's jetty.xml or
jetty-spring.properties, and the logging configuration. Edits made by hand after
amqlab's show up too.`,
		Example: `  amqlab config diff
  amqlab config diff amq61617 | less -R`,
		RunE: func(cmd *cobra.Command, names []string) error {
			lab, err := a.openLab()
			if err != nil {
				return err
			}
			d, err := lab.ConfigDiff(names...)
			if err != nil {
				return err
			}
			a.printDiff(d)
			return nil
		},
	}
}

// printDiff colours removed and added lines when colour is on.
func (a *app) printDiff(d string) {
	for _, line := range strings.SplitAfter(d, "\n") {
		switch {
		case strings.HasPrefix(line, "---") || strings.HasPrefix(line, "+++"):
			line = a.bold(strings.TrimSuffix(line, "\n")) + "\n"
		case strings.HasPrefix(line, "-"):
			line = a.red(strings.TrimSuffix(line, "\n")) + "\n"
		case strings.HasPrefix(line, "+"):
			line = a.green(strings.TrimSuffix(line, "\n")) + "\n"
		}
		io.WriteString(a.out, line)
	}
}

func newConfigShowCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show broker",
		Short: "Show the settings one broker's files put in effect",
		Long: `Read one broker's activemq.xml and web console configuration back and show what
they set: broker name, transport connectors, the KahaDB store and its locker,
network connectors and the web console's address. What is shown is what the broker
will use, whoever wrote it.`,
		Example: `  amqlab config show amq61616
  amqlab config show amq61616 --json | jq -r .store`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			lab, err := a.openLab()
			if err != nil {
				return err
			}
			st, err := lab.ConfigShow(args[0])
			if err != nil {
				return err
			}
			if asJSON {
				return a.printJSON(st)
			}
			return writeSettings(a.out, st)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the settings as JSON")
	return cmd
}

// defaultLockInterval is ActiveMQ's lockAcquireSleepInterval when no
// shared-file-locker sets one.
const defaultLockInterval = 10000

// writeSettings prints the settings as a two-column table.
func writeSettings(w io.Writer, st *xmlpatch.Settings) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", k, v) }
	row("broker name", st.BrokerName)
	for _, c := range st.Connectors {
		row("connector "+c.Name, c.URI)
	}
	if len(st.Connectors) == 0 {
		row("connectors", "none")
	}
	switch st.StoreKind {
	case "kahaDB":
		row("store", st.Store+" (KahaDB)")
	case "":
		row("store", "broker default (KahaDB under the data directory)")
	default:
		row("store", "<"+st.StoreKind+">")
	}
	if st.LockInterval == 0 {
		row("lock interval", strconv.Itoa(defaultLockInterval)+" ms (ActiveMQ default)")
	} else {
		row("lock interval", strconv.Itoa(st.LockInterval)+" ms (shared-file-locker lockAcquireSleepInterval)")
	}
	if st.KeepAlive == 0 {
		row("keep-alive", "off")
	} else {
		row("keep-alive", strconv.Itoa(st.KeepAlive)+" ms (lockKeepAlivePeriod)")
	}
	for _, c := range st.NetworkConnectors {
		row("network "+c.Name, c.URI)
	}
	if len(st.NetworkConnectors) == 0 {
		row("network connectors", "none")
	}
	switch {
	case !st.WebConsole:
		row("web console", "none")
	case st.WebPort == 0:
		row("web console", "imported; its port is not in jetty.xml or jetty-spring.properties")
	default:
		host := st.WebHost
		if host == "" {
			host = "0.0.0.0"
		}
		row("web console", "http://"+hostPort(host, st.WebPort)+"/")
	}
	return tw.Flush()
}

func hostPort(host string, port int) string {
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return host + ":" + strconv.Itoa(port)
}
