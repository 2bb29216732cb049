package xmlpatch

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/pmezard/go-difflib/difflib"
)

// editedLine matches every line a patch of a stock file may add or remove;
// any other changed line means the patch re-wrote something it should not.
var editedLine = regexp.MustCompile(`^\s*(<transportConnector |</?networkConnectors>|<networkConnector |<kahaDB |</kahaDB>|</?locker>|<shared-file-locker |<import resource="jetty|.*\bbrokerName=")`)

func TestPatchStockReleases(t *testing.T) {
	for _, rel := range releases(t) {
		t.Run(rel, func(t *testing.T) {
			orig := readConf(t, rel, "activemq.xml")
			input := bytes.Clone(orig)
			spec := specA(rel)
			out := patch(t, input, spec)

			if !bytes.Equal(input, orig) {
				t.Error("the input slice was modified")
			}
			assertSettings(t, out, spec)
			if got, want := untouched(t, out, !spec.WebConsole), untouched(t, orig, !spec.WebConsole); got != want {
				t.Errorf("parts the patch must not edit changed:\n%s", diff(want, got))
			}
			for _, l := range lineChanges(orig, out) {
				if !editedLine.MatchString(l) {
					t.Errorf("changed a line it has no reason to touch: %q", l)
				}
			}
			if again := patch(t, out, spec); !bytes.Equal(again, out) {
				t.Errorf("not idempotent:\n%s", diff(string(out), string(again)))
			}
			// The license header, the query options and their escaping survive.
			header := orig[:bytes.Index(orig, []byte("<beans"))]
			if !bytes.HasPrefix(out, header) {
				t.Error("the text before <beans> changed")
			}
			if bytes.Contains(orig, []byte("&amp;wireFormat")) && !bytes.Contains(out, []byte(`uri="tcp://127.0.0.1:61617?maximumConnections=1000&amp;wireFormat.maxFrameSize=`)) {
				t.Error("the openwire connector lost its query options or their escaping")
			}
		})
	}
}

// lineChanges lists the lines removed from a and added in b.
func lineChanges(a, b []byte) []string {
	al, bl := difflib.SplitLines(string(a)), difflib.SplitLines(string(b))
	var out []string
	for _, op := range difflib.NewMatcher(al, bl).GetOpCodes() {
		if op.Tag == 'e' {
			continue
		}
		out = append(out, al[op.I1:op.I2]...)
		out = append(out, bl[op.J1:op.J2]...)
	}
	return out
}

func diff(a, b string) string {
	s, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(a), B: difflib.SplitLines(b), FromFile: "want", ToFile: "got", Context: 2,
	})
	return s
}

// TestReplan: a new plan updates a patched file in place, and the result
// is the same as patching the stock file with the new plan.
func TestReplan(t *testing.T) {
	for _, rel := range releases(t) {
		t.Run(rel, func(t *testing.T) {
			orig := readConf(t, rel, "activemq.xml")
			a, b, c := specA(rel), specB(rel), specC(rel)
			for _, step := range []struct {
				name     string
				from, to BrokerSpec
			}{{"A to B", a, b}, {"B to A", b, a}, {"A to C", a, c}, {"B to C", b, c}} {
				got := patch(t, patch(t, orig, step.from), step.to)
				if want := patch(t, orig, step.to); !bytes.Equal(got, want) {
					t.Errorf("%s differs from a first patch with the new plan:\n%s", step.name, diff(string(want), string(got)))
				}
			}
			// Turning STOMP back on adds a plain connector where the stock one
			// had options, so only the settings can match here.
			back := patch(t, patch(t, orig, c), a)
			assertSettings(t, back, a)
			if again := patch(t, back, a); !bytes.Equal(again, back) {
				t.Error("not idempotent after C to A")
			}
		})
	}
}

const handMade = `<beans xmlns="http://www.springframework.org/schema/beans">
  <broker xmlns="http://activemq.apache.org/schema/core" brokerName="x">
    <networkConnectors>
      <!-- to the other data centre -->
      <networkConnector name="dc2" uri="static:(tcp://10.0.0.2:61616)" duplex="true"/>
    </networkConnectors>
    <persistenceAdapter>
      <kahaDB directory="data"/>
    </persistenceAdapter>
    <transportConnectors>
      <transportConnector name="openwire" uri="tcp://0.0.0.0:61616"/>
    </transportConnectors>
  </broker>
</beans>
`

func TestHandMadeNetworkConnectorsStay(t *testing.T) {
	a, b, c := specA(""), specB(""), specC("")
	for _, plans := range [][]BrokerSpec{{a}, {a, b}, {a, c}, {a, b, c, a}} {
		data := []byte(handMade)
		for _, spec := range plans {
			data = patch(t, []byte(data), spec)
		}
		last := plans[len(plans)-1]
		assertSettings(t, data, last)
		st, err := ReadSettings("activemq.xml", data)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.NetworkConnectors) != 1+len(last.NetworkPeers) || st.NetworkConnectors[0] != (Connector{"dc2", "static:(tcp://10.0.0.2:61616)"}) {
			t.Errorf("after %d plans: network connectors %v, want dc2 and then the lab's", len(plans), st.NetworkConnectors)
		}
		if !bytes.Contains(data, []byte(`<!-- to the other data centre -->`)) || bytes.Count(data, []byte("<networkConnectors>")) != 1 {
			t.Errorf("after %d plans: the hand-made list was not kept as it was:\n%s", len(plans), data)
		}
		if again := patch(t, data, last); !bytes.Equal(again, data) {
			t.Errorf("after %d plans: not idempotent", len(plans))
		}
	}
}

// TestStructureVariants: configurations that differ from the stock files
// in shape, not only in text.
func TestStructureVariants(t *testing.T) {
	cases := map[string]string{
		"prefixed namespace": `<beans xmlns="http://www.springframework.org/schema/beans" xmlns:amq="http://activemq.apache.org/schema/core">
	<amq:broker brokerName="x">
		<amq:persistenceAdapter><amq:kahaDB directory="d" /></amq:persistenceAdapter>
		<amq:transportConnectors>
			<amq:transportConnector name="openwire" uri="nio://0.0.0.0:61616"/>
		</amq:transportConnectors>
	</amq:broker>
</beans>`,
		"bare broker root, nothing to keep": `<broker xmlns="http://activemq.apache.org/schema/core"/>`,
		"no connectors or store": `<beans xmlns="http://www.springframework.org/schema/beans">
  <broker xmlns="http://activemq.apache.org/schema/core" useJmx="false">
    <!-- only a comment -->
  </broker>
</beans>
`,
		"empty lists": `<beans>
    <broker xmlns="http://activemq.apache.org/schema/core">
        <transportConnectors></transportConnectors>
        <persistenceAdapter>
        </persistenceAdapter>
        <networkConnectors/>
    </broker>
</beans>
`,
		"only removable connectors": `<broker xmlns="http://activemq.apache.org/schema/core"><transportConnectors><transportConnector name="a" uri="amqp://h:1"/></transportConnectors></broker>`,
		"existing locker and keep-alive": `<beans>
  <broker xmlns="http://activemq.apache.org/schema/core">
    <persistenceAdapter>
      <kahaDB directory='old' lockKeepAlivePeriod='2000' journalMaxFileLength="32mb">
        <locker>
          <shared-file-locker lockAcquireSleepInterval="10000" failIfLocked="false"/>
        </locker>
      </kahaDB>
    </persistenceAdapter>
    <transportConnectors>
      <transportConnector name="stomp" uri="stomp+nio://0.0.0.0:61613?transport.closeAsync=false&amp;x=1"/>
      <transportConnector name="openwire" uri="ssl://0.0.0.0:61617"/>
    </transportConnectors>
  </broker>
</beans>
`,
		"empty locker": `<broker xmlns="http://activemq.apache.org/schema/core"><persistenceAdapter><kahaDB directory="d"><locker/></kahaDB></persistenceAdapter></broker>`,
		"CRLF and BOM": "\uFEFF<?xml version=\"1.0\"?>\r\n<beans>\r\n  <broker xmlns=\"http://activemq.apache.org/schema/core\">\r\n    <persistenceAdapter>\r\n      <kahaDB directory=\"d\"/>\r\n    </persistenceAdapter>\r\n  </broker>\r\n</beans>\r\n",
	}
	for name, input := range cases {
		t.Run(name, func(t *testing.T) {
			for _, spec := range []BrokerSpec{specA(""), specB(""), specC("")} {
				out := patch(t, []byte(input), spec)
				assertSettings(t, out, spec)
				if again := patch(t, out, spec); !bytes.Equal(again, out) {
					t.Errorf("not idempotent:\n%s", diff(string(out), string(again)))
				}
			}
		})
	}
	t.Run("prefix carried to new elements", func(t *testing.T) {
		out := string(patch(t, []byte(cases["prefixed namespace"]), specA("")))
		for _, want := range []string{"<amq:transportConnector name=\"stomp\"", "<amq:networkConnectors>", "<amq:locker>", "<amq:shared-file-locker ", "\t\t<amq:networkConnectors>\n\t\t\t<amq:networkConnector "} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("existing settings are edited in place", func(t *testing.T) {
		out := string(patch(t, []byte(cases["existing locker and keep-alive"]), specB("")))
		for _, want := range []string{
			`<kahaDB directory='/other lab/store&amp;more' lockKeepAlivePeriod='5000' journalMaxFileLength="32mb">`,
			`<shared-file-locker lockAcquireSleepInterval="1000" failIfLocked="false"/>`,
			`uri="stomp+nio://localhost:52613?transport.closeAsync=false&amp;x=1"`,
			`uri="ssl://localhost:51617"`,
		} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(patchString(t, out, specA("")), "lockKeepAlivePeriod") {
			t.Error("keep-alive 0 left lockKeepAlivePeriod in place")
		}
	})
	t.Run("CRLF kept", func(t *testing.T) {
		out := patch(t, []byte(cases["CRLF and BOM"]), specA(""))
		if bytes.Count(out, []byte("\n")) != bytes.Count(out, []byte("\r\n")) || !bytes.HasPrefix(out, utf8BOM) {
			t.Errorf("line endings or BOM changed:\n%q", out)
		}
	})
}

func patchString(t *testing.T, s string, spec BrokerSpec) string {
	return string(patch(t, []byte(s), spec))
}

func TestChangesDescribeTheEdits(t *testing.T) {
	res, err := PatchActiveMQ("activemq.xml", readConf(t, "5.17.7", "activemq.xml"), specA("debian-5.17.2"))
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(res.Changes, "\n")
	for _, want := range []string{"brokerName amq61617", "removed transport connector amqp", "127.0.0.1:61617", "/lab/store", "lockAcquireSleepInterval 200", "amqlab-127.0.0.1-61616", `removed <import resource="jetty.xml"/>: this ActiveMQ install has no web console`} {
		if !strings.Contains(all, want) {
			t.Errorf("changes do not mention %q:\n%s", want, all)
		}
	}
	again, err := PatchActiveMQ("activemq.xml", res.Data, specA("debian-5.17.2"))
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Changes) != 0 {
		t.Errorf("a second patch reports changes: %v", again.Changes)
	}
}

const core = `xmlns="http://activemq.apache.org/schema/core"`

func TestBadInput(t *testing.T) {
	broker := func(inner string) string {
		return "<beans>\n  <broker " + core + ">\n" + inner + "\n  </broker>\n</beans>\n"
	}
	cases := []struct {
		name, input string
		spec        func(*BrokerSpec)
		want        string // in the message
		line, col   int    // for syntax errors
	}{
		{name: "empty file", input: "", want: "no root element", line: 1, col: 1},
		{name: "unclosed", input: "<beans>\n  <broker " + core + ">\n</beans>", want: "</beans> does not match <broker>", line: 3, col: 1},
		{name: "never closed", input: "<beans>\n  <broker " + core + ">", want: "<broker> is never closed", line: 2, col: 3},
		{name: "bad attribute", input: "<beans>\n<broker a=1/></beans>", want: "malformed XML", line: 2},
		{name: "repeated attribute", input: `<broker ` + core + ` brokerName="a" brokerName="b"/>`, want: "attribute brokerName appears twice", line: 1, col: 1},
		{name: "text after root", input: "<beans/>\nhello", want: "text outside the root element", line: 1, col: 9},
		{name: "unknown entity", input: "<beans>&nbsp;</beans>", want: "malformed XML", line: 1},
		{name: "no broker", input: "<beans><bean id=\"x\"/></beans>", want: "no <broker> element"},
		{name: "two brokers", input: "<beans><broker " + core + "/><broker " + core + "/></beans>", want: "2 <broker> elements"},
		{name: "JDBC", input: broker(`<persistenceAdapter><jdbcPersistenceAdapter dataSource="#pg"/></persistenceAdapter>`), want: "JDBC store (<jdbcPersistenceAdapter>)"},
		{name: "LevelDB", input: broker(`<persistenceAdapter><levelDB directory="x"/></persistenceAdapter>`), want: "LevelDB store"},
		{name: "memory adapter", input: broker(`<persistenceAdapter><memoryPersistenceAdapter/></persistenceAdapter>`), want: "in-memory store"},
		{name: "not persistent", input: "<broker " + core + ` persistent="false"/>`, want: `persistent="false"`},
		{name: "mKahaDB", input: broker(`<persistenceAdapter><mKahaDB directory="x"/></persistenceAdapter>`), want: "mKahaDB"},
		{name: "other locker", input: broker(`<persistenceAdapter><kahaDB><locker><lease-database-locker/></locker></kahaDB></persistenceAdapter>`), want: "<lease-database-locker>"},
		{name: "connector URI", input: broker(`<transportConnectors><transportConnector name="odd" uri="61616"/></transportConnectors>`), want: `line 3: transport connector "odd": "61616" is not a URI`},
		{name: "connector without URI", input: broker(`<transportConnectors><transportConnector name="none"/></transportConnectors>`), want: `transport connector "none"`},
		{name: "relative store", input: broker(""), spec: func(s *BrokerSpec) { s.StoreDir = "store" }, want: "must be an absolute path"},
		{name: "bad host", input: broker(""), spec: func(s *BrokerSpec) { s.Host = "a b" }, want: "not a host name"},
		{name: "bad port", input: broker(""), spec: func(s *BrokerSpec) { s.OpenWirePort = 70000 }, want: "outside 1-65535"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec := specA("")
			if tc.spec != nil {
				tc.spec(&spec)
			}
			res, err := PatchActiveMQ("conf/activemq.xml", []byte(tc.input), spec)
			if err == nil {
				t.Fatalf("no error; patched to:\n%s", res.Data)
			}
			if res != nil {
				t.Error("a result came with the error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			if tc.spec == nil && !strings.HasPrefix(err.Error(), "conf/activemq.xml:") {
				t.Errorf("error %q does not start with the file name", err)
			}
			var se *SyntaxError
			if tc.line != 0 {
				if !errors.As(err, &se) {
					t.Fatalf("error %T is not a *SyntaxError", err)
				}
				if se.Line != tc.line || (tc.col != 0 && se.Column != tc.col) {
					t.Errorf("at %d:%d, want %d:%d", se.Line, se.Column, tc.line, tc.col)
				}
			}
		})
	}
}
