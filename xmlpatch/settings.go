package xmlpatch

import (
	"fmt"
	"net"
	"path"
	"strconv"
	"strings"

	"github.com/beevik/etree"
)

// Connector is a transport or network connector as configured.
type Connector struct {
	Name string `json:"name"`
	URI  string `json:"uri"`
}

// Settings are the effective lab settings of one broker, read back from its
// files: what `amqlab config show` prints and what a patch is checked
// against.
type Settings struct {
	BrokerName        string      `json:"broker_name"`
	Connectors        []Connector `json:"transport_connectors"`
	StoreKind         string      `json:"store_kind"` // kahaDB, another adapter's element, or "" (broker default)
	Store             string      `json:"store"`      // KahaDB directory as written
	LockInterval      int         `json:"lock_interval_ms"`
	KeepAlive         int         `json:"keep_alive_ms"`
	NetworkConnectors []Connector `json:"network_connectors"`
	WebConsole        bool        `json:"web_console"` // activemq.xml imports the web console
	WebHost           string      `json:"web_host,omitempty"`
	WebPort           int         `json:"web_port,omitempty"`
}

// ReadSettings reads the lab settings from an activemq.xml. LockInterval 0
// means the locker is ActiveMQ's default (10000 ms); KeepAlive 0 means off.
func ReadSettings(file string, data []byte) (*Settings, error) {
	s, err := parseXML(file, data)
	if err != nil {
		return nil, err
	}
	return readSettings(s)
}

func readSettings(s *source) (*Settings, error) {
	broker, err := findBroker(s)
	if err != nil {
		return nil, err
	}
	st := &Settings{
		BrokerName:        broker.SelectAttrValue("brokerName", ""),
		Connectors:        []Connector{},
		NetworkConnectors: []Connector{},
		WebConsole:        len(webConsoleImports(s)) > 0,
	}
	for _, l := range childrenNamed(broker, "transportConnectors") {
		for _, tc := range childrenNamed(l, "transportConnector") {
			st.Connectors = append(st.Connectors, Connector{tc.SelectAttrValue("name", ""), tc.SelectAttrValue("uri", "")})
		}
	}
	for _, l := range childrenNamed(broker, "networkConnectors") {
		for _, nc := range l.ChildElements() {
			st.NetworkConnectors = append(st.NetworkConnectors, Connector{nc.SelectAttrValue("name", ""), nc.SelectAttrValue("uri", "")})
		}
	}
	for _, pa := range childrenNamed(broker, "persistenceAdapter") {
		for _, store := range pa.ChildElements() {
			st.StoreKind = store.Tag
			if store.Tag != "kahaDB" {
				continue
			}
			st.Store = store.SelectAttrValue("directory", "")
			if st.KeepAlive, err = intAttr(s, store, "lockKeepAlivePeriod"); err != nil {
				return nil, err
			}
			for _, l := range childrenNamed(store, "locker") {
				for _, sfl := range childrenNamed(l, "shared-file-locker") {
					if st.LockInterval, err = intAttr(s, sfl, "lockAcquireSleepInterval"); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	return st, nil
}

func intAttr(s *source, e *etree.Element, key string) (int, error) {
	v := e.SelectAttrValue(key, "")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, configErrorf(s.file, "line %d: <%s %s=%q> is not a whole number of milliseconds", lineOf(s.src, s.spans[e].start), e.FullTag(), key, v)
	}
	return n, nil
}

// findBroker finds the one <broker> element of ActiveMQ's core namespace.
func findBroker(s *source) (*etree.Element, error) {
	var found []*etree.Element
	for _, e := range s.elements() {
		if e.Tag == "broker" {
			if ns := e.NamespaceURI(); ns == "" || ns == coreNamespace {
				found = append(found, e)
			}
		}
	}
	switch len(found) {
	case 0:
		return nil, configErrorf(s.file, "no <broker> element; this is not an ActiveMQ broker configuration (restore the release's activemq.xml)")
	case 1:
		return found[0], nil
	}
	return nil, configErrorf(s.file, "%d <broker> elements (lines %d and %d); a lab broker's file configures exactly one", len(found), lineOf(s.src, s.spans[found[0]].start), lineOf(s.src, s.spans[found[1]].start))
}

const coreNamespace = "http://activemq.apache.org/schema/core"

// webConsoleImports are the top-level <import>s of the web console's Spring
// file: jetty.xml up to 6.2, jetty-spring.xml from 6.3.
func webConsoleImports(s *source) []*etree.Element {
	var out []*etree.Element
	for _, imp := range childrenNamed(s.doc.Root(), "import") {
		if strings.HasPrefix(path.Base(imp.SelectAttrValue("resource", "")), "jetty") {
			out = append(out, imp)
		}
	}
	return out
}

// check compares read-back settings with the spec they were patched for.
func (st *Settings) check(spec BrokerSpec) error {
	var owAt, stAt []string
	for _, c := range st.Connectors {
		u, err := parseURI(c.URI)
		switch {
		case err != nil:
			return err
		case u.is(openWireSchemes):
			owAt = append(owAt, u.authority)
		case u.is(stompSchemes):
			stAt = append(stAt, u.authority)
		default:
			return fmt.Errorf("connector %s (%s) is still there", c.Name, u.scheme)
		}
	}
	ow := net.JoinHostPort(spec.Host, strconv.Itoa(spec.OpenWirePort))
	if len(owAt) != 1 || !strings.EqualFold(owAt[0], ow) {
		return fmt.Errorf("openwire connectors on %v, want %s", owAt, ow)
	}
	if spec.StompPort == 0 && len(stAt) > 0 {
		return fmt.Errorf("stomp connector on %v, want none", stAt)
	}
	if stomp := net.JoinHostPort(spec.Host, strconv.Itoa(spec.StompPort)); spec.StompPort != 0 && (len(stAt) != 1 || !strings.EqualFold(stAt[0], stomp)) {
		return fmt.Errorf("stomp connectors on %v, want %s", stAt, stomp)
	}
	var ours []Connector
	for _, nc := range st.NetworkConnectors {
		if strings.HasPrefix(nc.Name, NetworkConnectorPrefix) {
			ours = append(ours, nc)
		}
	}
	if len(ours) != len(spec.NetworkPeers) {
		return fmt.Errorf("%d amqlab network connectors, want %d", len(ours), len(spec.NetworkPeers))
	}
	for i, p := range spec.NetworkPeers {
		if want := (Connector{networkConnectorName(p), "static:(" + p + ")"}); ours[i] != want {
			return fmt.Errorf("network connector %v, want %v", ours[i], want)
		}
	}
	switch {
	case st.BrokerName != spec.BrokerName:
		return fmt.Errorf("brokerName %q, want %q", st.BrokerName, spec.BrokerName)
	case st.StoreKind != "kahaDB" || st.Store != spec.StoreDir:
		return fmt.Errorf("store %s %q, want kahaDB %q", st.StoreKind, st.Store, spec.StoreDir)
	case st.LockInterval != spec.LockInterval:
		return fmt.Errorf("lock interval %d, want %d", st.LockInterval, spec.LockInterval)
	case st.KeepAlive != spec.KeepAlive:
		return fmt.Errorf("keep-alive %d, want %d", st.KeepAlive, spec.KeepAlive)
	case st.WebConsole && !spec.WebConsole:
		return fmt.Errorf("web console import still present")
	}
	return nil
}
