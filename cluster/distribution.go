package cluster

// Logging backends an ActiveMQ distribution may carry.
const (
	LoggingLog4j1 = "log4j1" // log4j 1.x or reload4j: reads conf/log4j.properties
	LoggingLog4j2 = "log4j2" // reads conf/log4j2.properties
)

// Distribution describes an ActiveMQ distribution as found by inspection.
type Distribution struct {
	Source     string   `json:"source"`           // what the user gave: path, URL or version
	Kind       string   `json:"kind"`             // "archive", "directory" or "url"
	Path       string   `json:"path"`             // local archive (cached download) or directory
	SHA512     string   `json:"sha512,omitempty"` // of the archive, when there is one
	Version    string   `json:"version"`          // e.g. 5.17.2
	Logging    string   `json:"logging"`          // LoggingLog4j1 or LoggingLog4j2
	WebConsole bool     `json:"web_console"`      // lib/web or webapps present
	Protocols  []string `json:"protocols"`        // of amqp, stomp, mqtt (openwire is always there)
	MinJava    int      `json:"min_java"`         // major version
	HasConf    bool     `json:"has_conf"`         // the source ships conf/ (Debian's does not)
}
