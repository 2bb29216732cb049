package scenarios

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/amqlab/amqlab/client"
	"github.com/amqlab/amqlab/cluster"
)

// steps lists the walkthrough in order. Titles, explanations and commands
// are amqlab's own; broker names come from the plan once it exists, so the
// first step names them from the options.
func (w *walk) steps() []walkStep {
	dir := w.dir
	plan, err := cluster.NewPlan(dir, w.o.Plan)
	names := []string{"amq61616", "amq61617"}
	if err == nil {
		names = names[:0]
		for _, b := range plan.Brokers {
			names = append(names, b.Name)
		}
	}
	first, second := names[0], names[1]
	driver := ""
	if w.o.Driver != client.DriverStomp {
		driver = " --driver " + w.o.Driver
	}
	return []walkStep{
		{Step{
			Name:  "install",
			Title: "Install ActiveMQ once per broker and give each its own ports",
			Why: "Every broker gets a complete ActiveMQ home of its own, as if the distribution had been unpacked twice. " +
				"Two brokers on one machine would fight over the stock ports, so each configuration keeps only its own OpenWire " +
				"(and STOMP) connector on its own port and moves the web console, if the install has one; the diff shows exactly what changed.",
			Commands: []string{"export AMQLAB_DIR=" + dir, "amqlab install --network-connectors=false", "amqlab config diff"},
		}, w.install, nil},
		{Step{
			Name:  "start-alone",
			Title: "Start each broker on its own",
			Why: "A pair that cannot start separately will not start as a cluster. Each broker runs alone for a moment: " +
				"it must become master and listen on its own ports and on no one else's, which rules out a port conflict.",
			Commands: []string{"amqlab start " + first, "amqlab status", "amqlab stop " + first,
				"amqlab start " + second, "amqlab status", "amqlab stop " + second},
		}, w.startAlone, nil},
		{Step{
			Name:  "share-store",
			Title: "Point every broker at the shared store and connect them",
			Why: "Master-slave needs one KahaDB directory that all brokers name, so that its file lock decides who is master. " +
				"The classic set-up also adds a static network connector from each broker to the other; this step adds them " +
				"and reads the store and connectors back from each broker's activemq.xml.",
			Commands: []string{"amqlab install --network-connectors=" + strconv.FormatBool(w.network), "amqlab config diff"},
		}, w.shareStore, nil},
		{Step{
			Name:  "start-both",
			Title: "Start all brokers at once: one master, the rest wait",
			Why: "All brokers start together and race for the store lock. Whoever takes it first becomes master and opens its " +
				"ports; the others find the lock taken, say so once in their console and open no port at all. The listening " +
				"sockets and their processes prove it.",
			Commands: []string{"amqlab start --parallel", "amqlab status", "amqlab logs"},
		}, w.startBoth, nil},
		{Step{
			Name:  "send-browse",
			Title: "Send a message through the failover URL and browse it",
			Why: "A client given every broker in a failover URL finds the one that accepts connections. One persistent " +
				"message goes to the queue and a browse reads it back without consuming it, showing its message id and " +
				"which broker the client reached.",
			Commands: []string{"amqlab send -n 1" + driver, "amqlab browse" + driver},
		}, w.sendBrowse, nil},
		{Step{
			Name:  "stop-master",
			Title: "Stop the master; a slave takes over with the same message",
			Why: "A clean shutdown releases the store lock and a waiting broker takes it, opens its ports and becomes master. " +
				"Its network connector to the stopped broker now fails, which is expected. Browsing through the same URL " +
				"reaches the new master and finds the very same message, because the store is shared.",
		}, w.stopMaster, func() []string {
			return []string{"amqlab stop " + w.master, "amqlab logs " + strings.Join(w.slaves, " "), "amqlab status", "amqlab browse" + driver}
		}},
		{Step{
			Name:  "old-master-returns",
			Title: "Start the old master again: it stays slave",
			Why: "Mastership does not go back: the lock is held by the new master, so the returning broker waits like any " +
				"slave until the current master fails.",
		}, w.oldMasterReturns, func() []string {
			return []string{"amqlab start " + w.slaves[len(w.slaves)-1], "amqlab status"}
		}},
	}
}

func (w *walk) install(ctx context.Context, r *stepRun) error {
	opts := w.o.Plan
	opts.NoNetworkConnectors = true // added in the share-store step, as in the classic set-up
	lab, err := cluster.Create(w.dir, opts)
	if err != nil {
		return err
	}
	w.lab = lab
	if err := lab.Install(ctx, w.o.Install); err != nil {
		return err
	}
	d := lab.Dist()
	r.note(EvidenceNote, "", "ActiveMQ %s from %s", d.Version, d.Source)
	for _, b := range lab.Plan().Brokers {
		r.note(EvidenceNote, b.Name, "home %s", b.Home)
	}
	if _, err := lab.Configure(nil); err != nil {
		return err
	}
	for _, b := range lab.Plan().Brokers {
		diff, err := lab.ConfigDiff(b.Name)
		if err != nil {
			return err
		}
		for _, line := range strings.Split(strings.TrimRight(diff, "\n"), "\n") {
			r.note(EvidenceDiff, b.Name, "%s", line)
		}
	}
	// Read back what each broker will listen on.
	for _, b := range lab.Plan().Brokers {
		lines, err := confLines(b, "<transportConnector ")
		if err != nil {
			return err
		}
		for _, l := range lines {
			r.note(EvidenceConfig, b.Name, "%s", l)
		}
		if !containsAll(lines, ":"+strconv.Itoa(b.OpenWirePort)) {
			return fmt.Errorf("%s's activemq.xml has no connector on its port %d", b.Name, b.OpenWirePort)
		}
	}
	return nil
}

func (w *walk) startAlone(ctx context.Context, r *stepRun) error {
	for _, b := range w.lab.Plan().Brokers {
		lw, err := watchLogs(w.lab, b.Name)
		if err != nil {
			return err
		}
		err = w.runAlone(ctx, r, b, lw)
		lw.close()
		if err != nil {
			return err
		}
	}
	r.note(EvidenceNote, "", "each broker listened on its own ports only: no port conflict")
	return nil
}

func (w *walk) runAlone(ctx context.Context, r *stepRun, b cluster.BrokerPlan, lw *logWatch) error {
	if err := w.lab.Start(ctx, cluster.StartOptions{Brokers: []string{b.Name}, Detach: w.o.Keep}); err != nil {
		return err
	}
	master, err := w.lab.WaitMaster(ctx)
	if err != nil {
		return err
	}
	if master != b.Name {
		return fmt.Errorf("%s was started alone but %s is master", b.Name, master)
	}
	if err := r.logLine(ctx, lw, b.Name, "its 'started' line", isStartedLine); err != nil {
		return err
	}
	st, err := w.lab.Status(ctx)
	if err != nil {
		return err
	}
	s := statusOf(st, b.Name)
	r.note(EvidenceRole, b.Name, "%s", roleLine(s).Text)
	r.add(listenLines(w.lab.Plan(), st))
	if err := checkListens(s, plannedPorts(w.lab, b.Name)); err != nil {
		return err
	}
	if err := w.lab.Stop(ctx, 0, b.Name); err != nil {
		return err
	}
	r.note(EvidenceNote, b.Name, "stopped again")
	return nil
}

func (w *walk) shareStore(ctx context.Context, r *stepRun) error {
	plan := w.lab.Plan()
	if w.network {
		opts := cluster.OptionsFromPlan(plan)
		opts.NoNetworkConnectors = false
		if err := w.lab.Replan(opts); err != nil {
			return err
		}
		reports, err := w.lab.Configure(nil)
		if err != nil {
			return err
		}
		for _, rep := range reports {
			for _, c := range rep.Changes {
				r.note(EvidenceConfig, rep.Broker, "%s", c)
			}
		}
		plan = w.lab.Plan()
	}
	for _, b := range plan.Brokers {
		lines, err := confLines(b, "<kahaDB ", "<shared-file-locker ", "<networkConnector ")
		if err != nil {
			return err
		}
		for _, l := range lines {
			r.note(EvidenceConfig, b.Name, "%s", l)
		}
		if !containsAll(lines, `directory="`+plan.Store+`"`) {
			return fmt.Errorf("%s's activemq.xml does not name the shared store %s", b.Name, plan.Store)
		}
		if !w.network {
			continue
		}
		for _, peer := range plan.Brokers {
			if peer.Name != b.Name && !containsAll(lines, "static:(tcp://"+net.JoinHostPort(plan.Host, strconv.Itoa(peer.OpenWirePort))) {
				return fmt.Errorf("%s has no network connector to %s", b.Name, peer.Name)
			}
		}
	}
	r.note(EvidenceNote, "", "every broker names the same store %s", plan.Store)
	return nil
}

func (w *walk) startBoth(ctx context.Context, r *stepRun) error {
	lw, err := watchLogs(w.lab)
	if err != nil {
		return err
	}
	defer lw.close()
	if err := w.lab.Start(ctx, cluster.StartOptions{Parallel: true, Detach: w.o.Keep}); err != nil {
		return err
	}
	st, err := w.lab.WaitSettled(ctx)
	if err != nil {
		return err
	}
	w.master, w.slaves = "", nil
	for _, s := range st {
		r.note(EvidenceRole, s.Name, "%s", roleLine(s).Text)
		switch s.Role {
		case cluster.RoleMaster:
			w.master = s.Name
		case cluster.RoleSlave:
			w.slaves = append(w.slaves, s.Name)
		}
	}
	r.add(listenLines(w.lab.Plan(), st))
	if len(w.slaves) != len(st)-1 {
		return fmt.Errorf("want one master and %d slaves, got master %q and slaves %v", len(st)-1, w.master, w.slaves)
	}
	if err := checkListens(statusOf(st, w.master), plannedPorts(w.lab, w.master)); err != nil {
		return err
	}
	for _, name := range w.slaves {
		if err := checkListens(statusOf(st, name), nil); err != nil {
			return fmt.Errorf("a slave must not listen: %w", err)
		}
		if err := r.logLine(ctx, lw, name, "the slave-mode line", isSlaveLine); err != nil {
			return err
		}
	}
	return nil
}

func (w *walk) sendBrowse(ctx context.Context, r *stepRun) error {
	c, err := dialLab(ctx, w.lab, w.o.Driver)
	if err != nil {
		return err
	}
	w.client = c
	r.note(EvidenceClient, "", "failover URL %s", c.URL)
	w.body = []byte("amqlab walkthrough " + runID())
	if _, err := c.Send(ctx, w.o.Queue, []client.Message{{Body: w.body}}, client.SendOptions{Persistent: true}); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	r.note(EvidenceMessage, "", "sent 1 persistent message to %s: %q", w.o.Queue, w.body)
	msgs, err := c.Browse(ctx, w.o.Queue)
	if err != nil {
		return fmt.Errorf("browse: %w", err)
	}
	if err := w.noteClient(ctx, r, msgs, w.master); err != nil {
		return err
	}
	if len(msgs) != 1 {
		return fmt.Errorf("browsed %d messages on %s, want exactly the one just sent", len(msgs), w.o.Queue)
	}
	if w.msgID = findBody(msgs, w.body); w.msgID == "" {
		return fmt.Errorf("the browsed message is not the one just sent")
	}
	return nil
}

// noteClient records where the client is connected and what it browsed,
// and checks that it reached the master.
func (w *walk) noteClient(ctx context.Context, r *stepRun, msgs []client.Received, master string) error {
	e, ok := w.client.lastConnect()
	if !ok {
		return errors.New("the client never reported a connection")
	}
	r.note(EvidenceClient, "", "connected to %s", e.Broker)
	for _, m := range msgs {
		r.note(EvidenceMessage, "", "%6d %s %s %q", m.Index, m.ID, m.Type, m.Body)
	}
	st, err := w.lab.Status(ctx)
	if err != nil {
		return err
	}
	if want := w.client.port(statusOf(st, master)); urlPort(e.Broker) != want {
		return fmt.Errorf("the client reached %s, but the master %s accepts on port %d", e.Broker, master, want)
	}
	return nil
}

func (w *walk) stopMaster(ctx context.Context, r *stepRun) error {
	old := w.master
	lw, err := watchLogs(w.lab, w.slaves...)
	if err != nil {
		return err
	}
	defer lw.close()
	if err := w.lab.Stop(ctx, 0, old); err != nil {
		return err
	}
	r.note(EvidenceNote, old, "stopped gracefully (SIGTERM)")
	master, err := w.lab.WaitTakeover(ctx, old)
	if err != nil {
		return err
	}
	w.master = master
	w.slaves = slices.DeleteFunc(w.slaves, func(s string) bool { return s == master })
	if w.network {
		if err := r.logLine(ctx, lw, master, "the network-bridge warning", isBridgeWarning); err != nil {
			return err
		}
	}
	if err := r.logLine(ctx, lw, master, "its 'started' line", isStartedLine); err != nil {
		return err
	}
	st, err := w.lab.Status(ctx)
	if err != nil {
		return err
	}
	r.add(listenLines(w.lab.Plan(), st))
	msgs, err := w.client.Browse(ctx, w.o.Queue)
	if err != nil {
		return fmt.Errorf("browse through the same URL: %w", err)
	}
	if err := w.noteClient(ctx, r, msgs, master); err != nil {
		return err
	}
	id := findBody(msgs, w.body)
	switch {
	case id == "":
		return fmt.Errorf("the message %s is gone after %s took over", w.msgID, master)
	case id != w.msgID:
		return fmt.Errorf("the message came back as %s, not %s", id, w.msgID)
	}
	r.note(EvidenceMessage, "", "same message id as before the stop: %s", id)
	w.slaves = append(w.slaves, old)
	return nil
}

func (w *walk) oldMasterReturns(ctx context.Context, r *stepRun) error {
	old := w.slaves[len(w.slaves)-1]
	before, err := w.lab.Status(ctx)
	if err != nil {
		return err
	}
	lw, err := watchLogs(w.lab, old)
	if err != nil {
		return err
	}
	defer lw.close()
	if err := w.lab.Start(ctx, cluster.StartOptions{Brokers: []string{old}, Detach: w.o.Keep}); err != nil {
		return err
	}
	if err := r.logLine(ctx, lw, old, "the slave-mode line", isSlaveLine); err != nil {
		return err
	}
	st, err := w.lab.WaitSettled(ctx)
	if err != nil {
		return err
	}
	for _, s := range st {
		r.note(EvidenceRole, s.Name, "%s", roleLine(s).Text)
	}
	r.add(listenLines(w.lab.Plan(), st))
	m, was := statusOf(st, w.master), statusOf(before, w.master)
	switch {
	case m.Role != cluster.RoleMaster || m.Pid != was.Pid:
		return fmt.Errorf("%s (pid %d) should still be master, but is %s (pid %d)", w.master, was.Pid, m.Role, m.Pid)
	case statusOf(st, old).Role != cluster.RoleSlave:
		return fmt.Errorf("%s came back as %s, want slave", old, statusOf(st, old).Role)
	}
	return checkListens(statusOf(st, old), nil)
}

// containsAll reports whether some line contains each fragment.
func containsAll(lines []string, fragments ...string) bool {
	for _, f := range fragments {
		if !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, f) }) {
			return false
		}
	}
	return true
}
