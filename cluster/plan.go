package cluster

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
)

// Default ports follow the stock ActiveMQ configuration. OpenWire ports step
// by one like the two brokers of the classic single-host walkthrough; the
// STOMP and web-console ports step by 1000 so that the second broker's
// console moves from 8161 to 9161 and its STOMP port from 61613 to 62613,
// which keeps every number recognisable.
const (
	DefaultBrokers      = 2
	DefaultOpenWirePort = 61616
	DefaultStompPort    = 61613
	DefaultWebPort      = 8161
	DefaultHost         = "127.0.0.1"
	SecondaryPortStep   = 1000
	DefaultLockInterval = 100 // ms; failover median 0.39 s, max 0.46 s here (200 ms: 0.47/0.54 s, missing the goal under load)
	DefaultKeepAlive    = 0   // ms; 0 leaves the stock keep-alive (off) for a local disk
	DefaultHeap         = "256m"
	minBrokers          = 2
	maxPort             = 65535
)

// PlanOptions are the user's choices; zero values mean "use the default".
// A port list with one entry is a base from which the other brokers' ports
// are derived; a list with one entry per broker is taken as it is.
type PlanOptions struct {
	Brokers             int
	Host                string
	OpenWirePorts       []int
	StompPorts          []int
	WebPorts            []int
	Store               string // shared KahaDB directory; default <lab>/store
	LockInterval        int    // lockAcquireSleepInterval in ms
	KeepAlive           int    // lockKeepAlivePeriod in ms
	NoStomp             bool
	NoNetworkConnectors bool
	Heap                string
	JavaOpts            []string
}

// Plan is the resolved lab: every name, port and directory a later command needs.
type Plan struct {
	Dir               string       `json:"dir"`
	Host              string       `json:"host"`
	Store             string       `json:"store"`
	LockInterval      int          `json:"lock_interval_ms"`
	KeepAlive         int          `json:"keep_alive_ms"`
	Stomp             bool         `json:"stomp"`
	NetworkConnectors bool         `json:"network_connectors"`
	Heap              string       `json:"heap"`
	JavaOpts          []string     `json:"java_opts,omitempty"`
	Brokers           []BrokerPlan `json:"brokers"`
}

// BrokerPlan is one broker of the lab.
type BrokerPlan struct {
	Name         string `json:"name"`
	OpenWirePort int    `json:"openwire_port"`
	StompPort    int    `json:"stomp_port,omitempty"`
	WebPort      int    `json:"web_port"`
	Home         string `json:"home"` // a full ActiveMQ home of its own (ACTIVEMQ_HOME = ACTIVEMQ_BASE)
}

// ConfDir is the broker's conf directory.
func (b BrokerPlan) ConfDir() string { return filepath.Join(b.Home, "conf") }

// DataDir is the broker's own activemq.data (pid file, tmp storage, logs);
// only the KahaDB store is shared.
func (b BrokerPlan) DataDir() string { return filepath.Join(b.Home, "data") }

// NewPlan resolves options for a lab in dir.
func NewPlan(dir string, o PlanOptions) (*Plan, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("lab directory %q: %w", dir, err)
	}
	n := o.Brokers
	if n == 0 {
		n = DefaultBrokers
	}
	if n < minBrokers {
		return nil, fmt.Errorf("--brokers %d: a master-slave lab needs at least %d brokers", n, minBrokers)
	}
	p := &Plan{
		Dir:               abs,
		Host:              orDefault(o.Host, DefaultHost),
		LockInterval:      o.LockInterval,
		KeepAlive:         o.KeepAlive,
		Stomp:             !o.NoStomp,
		NetworkConnectors: !o.NoNetworkConnectors,
		Heap:              orDefault(o.Heap, DefaultHeap),
		JavaOpts:          o.JavaOpts,
	}
	if p.LockInterval == 0 {
		p.LockInterval = DefaultLockInterval
	}
	if p.LockInterval < 0 || p.KeepAlive < 0 {
		return nil, errors.New("--lock-interval and --keep-alive must not be negative")
	}
	p.Store = filepath.Join(abs, "store")
	if o.Store != "" {
		if p.Store, err = filepath.Abs(o.Store); err != nil {
			return nil, fmt.Errorf("store %q: %w", o.Store, err)
		}
	}
	ow, err := expandPorts("--port", o.OpenWirePorts, DefaultOpenWirePort, 1, n)
	if err != nil {
		return nil, err
	}
	st, err := expandPorts("--stomp-port", o.StompPorts, DefaultStompPort, SecondaryPortStep, n)
	if err != nil {
		return nil, err
	}
	web, err := expandPorts("--web-port", o.WebPorts, DefaultWebPort, SecondaryPortStep, n)
	if err != nil {
		return nil, err
	}
	for i := 0; i < n; i++ {
		name := "amq" + strconv.Itoa(ow[i])
		b := BrokerPlan{Name: name, OpenWirePort: ow[i], WebPort: web[i], Home: filepath.Join(abs, name)}
		if p.Stomp {
			b.StompPort = st[i]
		}
		p.Brokers = append(p.Brokers, b)
	}
	if err := p.checkPortsUnique(); err != nil {
		return nil, err
	}
	return p, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func expandPorts(flag string, given []int, def, step, n int) ([]int, error) {
	switch {
	case len(given) == 0:
		given = []int{def}
	case len(given) != 1 && len(given) != n:
		return nil, fmt.Errorf("%s: got %d ports for %d brokers; give one base port or one port per broker", flag, len(given), n)
	}
	ports := make([]int, n)
	for i := range ports {
		if len(given) == 1 {
			ports[i] = given[0] + i*step
		} else {
			ports[i] = given[i]
		}
		if ports[i] < 1 || ports[i] > maxPort {
			return nil, fmt.Errorf("%s: port %d for broker %d is outside 1-%d; choose a lower base port or fewer brokers", flag, ports[i], i+1, maxPort)
		}
	}
	return ports, nil
}

// Ports lists every port the lab listens on, with what it is for.
func (p *Plan) Ports() []PlannedPort {
	var out []PlannedPort
	for _, b := range p.Brokers {
		out = append(out, PlannedPort{b.Name, "openwire", b.OpenWirePort})
		if b.StompPort != 0 {
			out = append(out, PlannedPort{b.Name, "stomp", b.StompPort})
		}
		out = append(out, PlannedPort{b.Name, "web", b.WebPort})
	}
	return out
}

// PlannedPort is one port of one broker.
type PlannedPort struct {
	Broker string `json:"broker"`
	Use    string `json:"use"`
	Port   int    `json:"port"`
}

func (p *Plan) checkPortsUnique() error {
	seen := map[int]PlannedPort{}
	for _, pp := range p.Ports() {
		if prev, ok := seen[pp.Port]; ok {
			return fmt.Errorf("port %d is planned twice (%s %s and %s %s); choose other base ports", pp.Port, prev.Broker, prev.Use, pp.Broker, pp.Use)
		}
		seen[pp.Port] = pp
	}
	return nil
}

// Broker finds a broker by name.
func (p *Plan) Broker(name string) (BrokerPlan, bool) {
	for _, b := range p.Brokers {
		if b.Name == name {
			return b, true
		}
	}
	return BrokerPlan{}, false
}

// OptionsFromPlan turns a resolved plan back into options, so a caller can
// change one setting of an existing lab and keep the rest.
func OptionsFromPlan(p *Plan) PlanOptions {
	o := PlanOptions{
		Brokers:             len(p.Brokers),
		Host:                p.Host,
		Store:               p.Store,
		LockInterval:        p.LockInterval,
		KeepAlive:           p.KeepAlive,
		NoStomp:             !p.Stomp,
		NoNetworkConnectors: !p.NetworkConnectors,
		Heap:                p.Heap,
		JavaOpts:            p.JavaOpts,
	}
	for _, b := range p.Brokers {
		o.OpenWirePorts = append(o.OpenWirePorts, b.OpenWirePort)
		o.WebPorts = append(o.WebPorts, b.WebPort)
		if b.StompPort != 0 {
			o.StompPorts = append(o.StompPorts, b.StompPort)
		}
	}
	return o
}
