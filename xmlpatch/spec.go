// Package xmlpatch edits ActiveMQ configuration files for a lab broker:
// activemq.xml, the web-console settings and the console log pattern. It
// works on documents in memory (with beevik/etree for XML) and leaves
// everything it does not need to change as it was.
package xmlpatch

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
)

// BrokerSpec is what one lab broker's activemq.xml must say.
type BrokerSpec struct {
	BrokerName   string   // unique per broker, e.g. amq61617
	Host         string   // listen host for every kept connector
	OpenWirePort int      // the openwire connector's port
	StompPort    int      // 0: no stomp connector
	StoreDir     string   // absolute path of the shared KahaDB directory
	LockInterval int      // shared-file-locker lockAcquireSleepInterval, ms
	KeepAlive    int      // kahaDB lockKeepAlivePeriod, ms (0: off)
	NetworkPeers []string // URIs of the other brokers for static network connectors; empty: none
	WebConsole   bool     // the install has the web console; false removes its <import>
}

// WebSpec is where one lab broker's web console listens.
type WebSpec struct {
	Host string `json:"host"`
	Port int    `json:"port"`
}

// Validate checks the spec before any file is read, so a bad plan is
// reported as such and not as a problem of the configuration file.
func (s BrokerSpec) Validate() error {
	switch {
	case strings.TrimSpace(s.BrokerName) == "":
		return errors.New("broker spec: empty broker name")
	case !validHost(s.Host):
		return fmt.Errorf("broker spec %s: listen host %q is not a host name or IP address", s.BrokerName, s.Host)
	case !validPort(s.OpenWirePort):
		return fmt.Errorf("broker spec %s: openwire port %d is outside 1-65535", s.BrokerName, s.OpenWirePort)
	case s.StompPort != 0 && !validPort(s.StompPort):
		return fmt.Errorf("broker spec %s: stomp port %d is outside 1-65535", s.BrokerName, s.StompPort)
	case s.StoreDir == "" || !filepath.IsAbs(s.StoreDir):
		return fmt.Errorf("broker spec %s: store directory %q must be an absolute path, the same for every broker", s.BrokerName, s.StoreDir)
	case s.LockInterval <= 0:
		return fmt.Errorf("broker spec %s: lock interval %d ms must be positive", s.BrokerName, s.LockInterval)
	case s.KeepAlive < 0:
		return fmt.Errorf("broker spec %s: keep-alive period %d ms must not be negative", s.BrokerName, s.KeepAlive)
	}
	for _, p := range s.NetworkPeers {
		u, err := parseURI(p)
		if err != nil {
			return fmt.Errorf("broker spec %s: network peer: %w", s.BrokerName, err)
		}
		if _, _, err := net.SplitHostPort(u.authority); err != nil {
			return fmt.Errorf("broker spec %s: network peer %q has no host:port", s.BrokerName, p)
		}
	}
	return nil
}

// Validate checks a web-console spec.
func (w WebSpec) Validate() error {
	if !validHost(w.Host) {
		return fmt.Errorf("web console: listen host %q is not a host name or IP address", w.Host)
	}
	if !validPort(w.Port) {
		return fmt.Errorf("web console: port %d is outside 1-65535", w.Port)
	}
	return nil
}

func validPort(p int) bool { return p >= 1 && p <= 65535 }

// validHost accepts IP addresses and DNS-style names: what can follow
// tcp:// in a connector URI without escaping.
func validHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	if net.ParseIP(h) != nil {
		return true
	}
	for _, r := range h {
		ok := r == '-' || r == '.' || r == '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !ok {
			return false
		}
	}
	return true
}
