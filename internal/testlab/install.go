package testlab

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amqlab/amqlab/cluster"
)

// install gives every broker a home that shares the machine's jars (bin and
// lib are links) and has a conf of its own for the shared store.
func install(t testing.TB, lab *cluster.Lab, home string) {
	t.Helper()
	plan := lab.Plan()
	for _, b := range plan.Brokers {
		if err := os.MkdirAll(b.ConfDir(), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, d := range []string{"bin", "lib"} {
			if err := os.Symlink(filepath.Join(home, d), filepath.Join(b.Home, d)); err != nil {
				t.Fatal(err)
			}
		}
		files := map[string]string{
			"activemq.xml":      brokerXML(plan, b),
			"log4j.properties":  log4jConsole,
			"log4j2.properties": log4j2Console,
		}
		for name, content := range files {
			if err := os.WriteFile(filepath.Join(b.ConfDir(), name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func brokerXML(p *cluster.Plan, b cluster.BrokerPlan) string {
	var connectors strings.Builder
	fmt.Fprintf(&connectors, `<transportConnector name="openwire" uri="tcp://%s:%d"/>`, p.Host, b.OpenWirePort)
	if b.StompPort != 0 {
		fmt.Fprintf(&connectors, `<transportConnector name="stomp" uri="stomp://%s:%d"/>`, p.Host, b.StompPort)
	}
	var network strings.Builder
	if p.NetworkConnectors {
		network.WriteString("<networkConnectors>")
		for _, o := range p.Brokers {
			if o.Name != b.Name {
				fmt.Fprintf(&network, `<networkConnector uri="static:(tcp://%s:%d)"/>`, p.Host, o.OpenWirePort)
			}
		}
		network.WriteString("</networkConnectors>")
	}
	return fmt.Sprintf(`<beans xmlns="http://www.springframework.org/schema/beans"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans.xsd
  http://activemq.apache.org/schema/core http://activemq.apache.org/schema/core/activemq-core.xsd">
  <broker xmlns="http://activemq.apache.org/schema/core" brokerName="%s" useJmx="false" dataDirectory="%s">
    <persistenceAdapter>
      <kahaDB directory="%s"><locker><shared-file-locker lockAcquireSleepInterval="%d"/></locker></kahaDB>
    </persistenceAdapter>
    %s
    <transportConnectors>%s</transportConnectors>
  </broker>
</beans>
`, b.Name, b.DataDir(), p.Store, p.LockInterval, network.String(), connectors.String())
}

const log4jConsole = `log4j.rootLogger=INFO, console
log4j.appender.console=org.apache.log4j.ConsoleAppender
log4j.appender.console.layout=org.apache.log4j.PatternLayout
log4j.appender.console.layout.ConversionPattern=%d{HH:mm:ss,SSS} | %-5p | %m%n
`

const log4j2Console = `rootLogger.level = INFO
rootLogger.appenderRef.console.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss,SSS} | %-5p | %m%n
`
