package templates_test

import (
	"strings"
	"testing"

	"github.com/amqlab/amqlab/templates"
	"github.com/amqlab/amqlab/xmlpatch"
)

func TestActiveMQXMLIsAStockBroker(t *testing.T) {
	st, err := xmlpatch.ReadSettings("activemq.xml", templates.ActiveMQXML())
	if err != nil {
		t.Fatal(err)
	}
	if st.BrokerName == "" {
		t.Error("no brokerName")
	}
	if st.StoreKind != "kahaDB" || st.Store != "${activemq.data}/kahadb" {
		t.Errorf("store %s %q, want kahaDB under ${activemq.data}", st.StoreKind, st.Store)
	}
	want := []xmlpatch.Connector{{Name: "openwire", URI: "tcp://127.0.0.1:61616"}}
	if len(st.Connectors) != 1 || st.Connectors[0] != want[0] {
		t.Errorf("connectors %v, want %v", st.Connectors, want)
	}
	if st.WebConsole {
		t.Error("imports a web console; installs without conf/ have none")
	}
	spec := xmlpatch.BrokerSpec{BrokerName: "amq1", Host: "127.0.0.1", OpenWirePort: 1, StoreDir: "/s", LockInterval: 1}
	if _, err := xmlpatch.PatchActiveMQ("activemq.xml", templates.ActiveMQXML(), spec); err != nil {
		t.Errorf("the configure step cannot patch it: %v", err)
	}
}

func TestLog4jPropertiesConsole(t *testing.T) {
	props := string(templates.Log4jProperties())
	for _, want := range []string{
		"log4j.rootLogger=INFO, console, logfile",
		"log4j.appender.console=org.apache.log4j.ConsoleAppender",
		"log4j.appender.console.Target=System.out",
		"log4j.appender.console.layout.ConversionPattern=" + xmlpatch.ConsoleDatePattern + " | %5p | %m%n",
	} {
		if !strings.Contains(props, want+"\n") {
			t.Errorf("log4j.properties lacks the line %q", want)
		}
	}
}

func TestCallersGetCopies(t *testing.T) {
	for name, get := range map[string]func() []byte{"ActiveMQXML": templates.ActiveMQXML, "Log4jProperties": templates.Log4jProperties} {
		b := get()
		b[0] ^= 0xFF
		if get()[0] == b[0] {
			t.Errorf("%s: a caller's change reached the next caller", name)
		}
	}
}
