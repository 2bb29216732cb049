// Package xmlpatch edits ActiveMQ configuration files for a lab broker:
// activemq.xml, the web-console settings and the console log pattern. It
// works on documents in memory (with beevik/etree for XML) and leaves
// everything it does not need to change as it was.
package xmlpatch

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
