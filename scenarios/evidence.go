package scenarios

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/amqlab/amqlab/client"
	"github.com/amqlab/amqlab/cluster"
)

// Console lines that prove a broker's state; they read the same from
// ActiveMQ 5.15 to 6.3.
func isStartedLine(s string) bool {
	s = strings.TrimRight(s, " \r")
	return strings.Contains(s, "Apache ActiveMQ") && strings.HasSuffix(s, ") started")
}

func isSlaveLine(s string) bool {
	return strings.Contains(s, "is locked by another server") && strings.Contains(s, "slave mode")
}

func isBridgeWarning(s string) bool {
	return strings.Contains(s, "Could not start network bridge")
}

// logWatch collects the console lines brokers print from the moment it is
// created, so a step sees exactly what its own actions caused.
type logWatch struct {
	stop context.CancelFunc
	done chan struct{}

	mu    sync.Mutex
	lines []cluster.LogLine
	err   error
}

func watchLogs(lab *cluster.Lab, names ...string) (*logWatch, error) {
	fw, err := lab.NewFollower(names, 0)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	lw := &logWatch{stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(lw.done)
		err := fw.Run(ctx, func(l cluster.LogLine) {
			lw.mu.Lock()
			lw.lines = append(lw.lines, l)
			lw.mu.Unlock()
		})
		lw.mu.Lock()
		lw.err = err
		lw.mu.Unlock()
	}()
	return lw, nil
}

// close stops following; lines read so far stay available.
func (lw *logWatch) close() {
	lw.stop()
	<-lw.done
}

// find returns the first collected line of broker that matches.
func (lw *logWatch) find(broker string, match func(string) bool) (string, bool) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	for _, l := range lw.lines {
		if l.Broker == broker && match(l.Text) {
			return l.Text, true
		}
	}
	return "", false
}

// logWait bounds the wait for a console line that should follow an event
// within a second or two.
const logWait = 30 * time.Second

// waitFor polls until broker printed a matching line; what names the line
// in the error.
func (lw *logWatch) waitFor(ctx context.Context, broker, what string, match func(string) bool) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, logWait)
	defer cancel()
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		if line, ok := lw.find(broker, match); ok {
			return line, nil
		}
		lw.mu.Lock()
		err := lw.err
		lw.mu.Unlock()
		if err != nil {
			return "", fmt.Errorf("read the console of %s: %w", broker, err)
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("%s did not log %s within %s; see 'amqlab logs %s'", broker, what, logWait, broker)
		case <-t.C:
		}
	}
}

// logLine waits until broker printed a matching console line and records
// it as the step's evidence.
func (r *stepRun) logLine(ctx context.Context, lw *logWatch, broker, what string, match func(string) bool) error {
	line, err := lw.waitFor(ctx, broker, what, match)
	if err != nil {
		return err
	}
	r.note(EvidenceLog, broker, "%s", line)
	return nil
}

// portUse names a planned port of a broker.
func portUse(p *cluster.Plan, broker string, port int) string {
	for _, pp := range p.Ports() {
		if pp.Broker == broker && pp.Port == port {
			return pp.Use
		}
	}
	return "?"
}

// listenLines renders the listening ports of the brokers like
// 'netstat -ltnp' would, one line per port, with the process behind it.
func listenLines(p *cluster.Plan, st []cluster.BrokerStatus) []Evidence {
	var out []Evidence
	for _, s := range st {
		for _, port := range s.Listening {
			addr := net.JoinHostPort(p.Host, strconv.Itoa(port))
			out = append(out, Evidence{Kind: EvidencePort, Broker: s.Name,
				Text: fmt.Sprintf("tcp  %-21s LISTEN  %d/java  (%s)", addr, s.Pid, portUse(p, s.Name, port))})
		}
	}
	if len(out) == 0 {
		out = append(out, Evidence{Kind: EvidencePort, Text: "no broker port is listening"})
	}
	return out
}

// roleLine describes one broker's role for the evidence.
func roleLine(s cluster.BrokerStatus) Evidence {
	text := string(s.Role)
	switch {
	case s.Pid != 0 && s.HoldsLock:
		text = fmt.Sprintf("%s, pid %d, holds the store lock", s.Role, s.Pid)
	case s.Pid != 0:
		text = fmt.Sprintf("%s, pid %d, waits for the store lock", s.Role, s.Pid)
	}
	return Evidence{Kind: EvidenceRole, Broker: s.Name, Text: text}
}

// plannedPorts lists the ports a master broker must listen on: OpenWire,
// STOMP when planned and the web console when the install has one.
func plannedPorts(lab *cluster.Lab, name string) []int {
	var ports []int
	web := lab.Dist() != nil && lab.Dist().WebConsole
	for _, pp := range lab.Plan().Ports() {
		if pp.Broker == name && (pp.Use != "web" || web) {
			ports = append(ports, pp.Port)
		}
	}
	return ports
}

// checkListens fails unless s listens on exactly want.
func checkListens(s cluster.BrokerStatus, want []int) error {
	got := slices.Clone(s.Listening)
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		return fmt.Errorf("%s listens on %v, want %v", s.Name, got, want)
	}
	return nil
}

// statusOf picks one broker from a status list.
func statusOf(st []cluster.BrokerStatus, name string) cluster.BrokerStatus {
	for _, s := range st {
		if s.Name == name {
			return s
		}
	}
	return cluster.BrokerStatus{Name: name, Role: cluster.RoleStopped}
}

// confLines returns the trimmed lines of a broker's activemq.xml that
// contain any of the given fragments: the configuration as the broker
// reads it, not as amqlab meant it.
func confLines(b cluster.BrokerPlan, fragments ...string) ([]string, error) {
	path := filepath.Join(b.ConfDir(), "activemq.xml")
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read the configuration of %s: %w", b.Name, err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		for _, frag := range fragments {
			if strings.Contains(line, frag) {
				out = append(out, line)
				break
			}
		}
	}
	return out, sc.Err()
}

// urlPort is the port of a broker URL as clients report it, 0 if none.
func urlPort(raw string) int {
	u, err := client.ParseURL(raw)
	if err != nil || len(u.Brokers) == 0 {
		return 0
	}
	return u.Brokers[0].Port
}
