package main

import (
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/amqlab/amqlab/cluster"
)

// planFlags binds the flags that shape a lab (brokers, ports, store…) to
// PlanOptions; install, up and plan share them.
type planFlags struct {
	opts              cluster.PlanOptions
	stomp             bool
	networkConnectors bool
	javaOpts          string
}

func addPlanFlags(cmd *cobra.Command) *planFlags {
	pf := &planFlags{}
	f := cmd.Flags()
	f.IntVar(&pf.opts.Brokers, "brokers", cluster.DefaultBrokers, "number of brokers (at least 2)")
	f.StringVar(&pf.opts.Host, "host", cluster.DefaultHost, "listen host for every broker port")
	f.IntSliceVar(&pf.opts.OpenWirePorts, "port", []int{cluster.DefaultOpenWirePort}, "OpenWire port: a base (next brokers +1) or one per broker")
	f.IntSliceVar(&pf.opts.StompPorts, "stomp-port", []int{cluster.DefaultStompPort}, "STOMP port: a base (next brokers +1000) or one per broker")
	f.IntSliceVar(&pf.opts.WebPorts, "web-port", []int{cluster.DefaultWebPort}, "web-console port: a base (next brokers +1000) or one per broker")
	f.StringVar(&pf.opts.Store, "store", "", "shared KahaDB directory (default <lab>/store)")
	f.IntVar(&pf.opts.LockInterval, "lock-interval", cluster.DefaultLockInterval, "how often a slave retries the store lock, in ms (ActiveMQ's default is 10000)")
	f.IntVar(&pf.opts.KeepAlive, "keep-alive", cluster.DefaultKeepAlive, "lockKeepAlivePeriod in ms; set it >0 on network filesystems")
	f.BoolVar(&pf.stomp, "stomp", true, "give every broker a STOMP connector (the native client needs it)")
	f.BoolVar(&pf.networkConnectors, "network-connectors", true, "add static network connectors between the brokers, as in the classic walkthrough")
	f.StringVar(&pf.opts.Heap, "heap", cluster.DefaultHeap, "maximum Java heap of each broker (-Xmx)")
	f.StringVar(&pf.javaOpts, "java-opts", "", "extra JVM options for every broker, space separated")
	return pf
}

// options returns the PlanOptions the flags describe.
func (pf *planFlags) options() cluster.PlanOptions {
	o := pf.opts
	o.NoStomp = !pf.stomp
	o.NoNetworkConnectors = !pf.networkConnectors
	o.JavaOpts = strings.Fields(pf.javaOpts)
	return o
}

// changed reports whether the user set any plan flag on this command line.
func planFlagsChanged(cmd *cobra.Command) bool {
	for _, name := range []string{"brokers", "host", "port", "stomp-port", "web-port", "store", "lock-interval", "keep-alive", "stomp", "network-connectors", "heap", "java-opts"} {
		if cmd.Flags().Changed(name) {
			return true
		}
	}
	return false
}

// labForSetup opens the lab in --dir, creating it from the flags when there
// is none. On an existing lab, explicitly given plan flags override what
// was recorded and the rest stays as it was.
func (a *app) labForSetup(cmd *cobra.Command, pf *planFlags) (*cluster.Lab, error) {
	lab, err := cluster.Open(a.dir)
	if errors.Is(err, cluster.ErrNoLab) {
		return cluster.Create(a.dir, pf.options())
	}
	if err != nil {
		return nil, err
	}
	if !planFlagsChanged(cmd) {
		return lab, nil
	}
	return lab, lab.Replan(mergePlanFlags(cmd, pf, cluster.OptionsFromPlan(lab.Plan())))
}

// mergePlanFlags overlays the plan flags given on this command line on the
// options of an existing plan.
func mergePlanFlags(cmd *cobra.Command, pf *planFlags, merged cluster.PlanOptions) cluster.PlanOptions {
	given := pf.options()
	f := cmd.Flags()
	set := func(name string, apply func()) {
		if f.Changed(name) {
			apply()
		}
	}
	set("brokers", func() { merged.Brokers = given.Brokers })
	set("host", func() { merged.Host = given.Host })
	set("port", func() { merged.OpenWirePorts = given.OpenWirePorts })
	set("stomp-port", func() { merged.StompPorts = given.StompPorts })
	set("web-port", func() { merged.WebPorts = given.WebPorts })
	set("store", func() { merged.Store = given.Store })
	set("lock-interval", func() { merged.LockInterval = given.LockInterval })
	set("keep-alive", func() { merged.KeepAlive = given.KeepAlive })
	set("stomp", func() { merged.NoStomp = given.NoStomp })
	set("network-connectors", func() { merged.NoNetworkConnectors = given.NoNetworkConnectors })
	set("heap", func() { merged.Heap = given.Heap })
	set("java-opts", func() { merged.JavaOpts = given.JavaOpts })
	if f.Changed("brokers") && !f.Changed("port") {
		merged.OpenWirePorts = merged.OpenWirePorts[:1]
	}
	if f.Changed("brokers") && !f.Changed("stomp-port") && len(merged.StompPorts) > 0 {
		merged.StompPorts = merged.StompPorts[:1]
	}
	if f.Changed("brokers") && !f.Changed("web-port") {
		merged.WebPorts = merged.WebPorts[:1]
	}
	return merged
}
