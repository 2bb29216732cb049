package xmlpatch

import (
	"bytes"
	"strings"
	"testing"
)

func TestPatchJettyXMLReleases(t *testing.T) {
	web := WebSpec{Host: "127.0.0.1", Port: 9161}
	for _, rel := range releases(t) {
		if !hasConf(rel, JettyXML) {
			continue
		}
		t.Run(rel, func(t *testing.T) {
			orig := readConf(t, rel, JettyXML)
			res, err := PatchJettyXML(JettyXML, orig, web)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ReadJettyXML(JettyXML, res.Data)
			if err != nil || got != web {
				t.Fatalf("reads back %+v, %v; want %+v", got, err, web)
			}
			for _, l := range lineChanges(orig, res.Data) {
				if !strings.Contains(l, `<property name="host"`) && !strings.Contains(l, `<property name="port"`) {
					t.Errorf("changed a line it has no reason to touch: %q", l)
				}
			}
			again, err := PatchJettyXML(JettyXML, res.Data, web)
			if err != nil || !bytes.Equal(again.Data, res.Data) || len(again.Changes) != 0 {
				t.Errorf("not idempotent (%v, changes %v)", err, again.Changes)
			}
			other := WebSpec{Host: "::1", Port: 18161}
			moved, err := PatchJettyXML(JettyXML, res.Data, other)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := ReadJettyXML(JettyXML, moved.Data); got != other {
				t.Errorf("after a new plan: %+v, want %+v", got, other)
			}
		})
	}
}

func TestPatchJettyXMLShapes(t *testing.T) {
	web := WebSpec{Host: "127.0.0.1", Port: 9161}
	t.Run("host property added", func(t *testing.T) {
		in := "<beans>\n  <bean id=\"jettyPort\" class=\"org.apache.activemq.web.WebConsolePort\">\n    <property name=\"port\" value=\"8161\"/>\n  </bean>\n</beans>\n"
		res, err := PatchJettyXML("jetty.xml", []byte(in), web)
		if err != nil {
			t.Fatal(err)
		}
		want := "<beans>\n  <bean id=\"jettyPort\" class=\"org.apache.activemq.web.WebConsolePort\">\n    <property name=\"port\" value=\"9161\"/>\n    <property name=\"host\" value=\"127.0.0.1\"/>\n  </bean>\n</beans>\n"
		if string(res.Data) != want {
			t.Errorf("got\n%s\nwant\n%s", res.Data, want)
		}
	})
	for name, tc := range map[string]struct{ in, want string }{
		"no bean":         {`<beans><bean id="other"/></beans>`, `no <bean id="jettyPort">`},
		"no port":         {`<beans><bean id="jettyPort"><property name="host" value="h"/></bean></beans>`, "has no port property"},
		"port as element": {`<beans><bean id="jettyPort"><property name="port"><value>8161</value></property></bean></beans>`, "has no value attribute"},
		"malformed":       {`<beans><bean id="jettyPort">`, "jetty.xml:1:8: <bean> is never closed"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := PatchJettyXML("jetty.xml", []byte(tc.in), web)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

func TestPatchJettySpring(t *testing.T) {
	web := WebSpec{Host: "127.0.0.1", Port: 9161}
	cases := map[string]struct{ in, want string }{
		"stock 6.3":         {string(readConf(t, "6.3.1", JettySpringProps)), ""},
		"both set":          {"jetty.http.host = 0.0.0.0\njetty.http.port = 8161\n", "jetty.http.host = 127.0.0.1\njetty.http.port = 9161\n"},
		"colon separator":   {"jetty.http.port:8161\r\n", "jetty.http.port:9161\r\njetty.http.host=127.0.0.1\r\n"},
		"key without value": {"jetty.http.port\n", "jetty.http.port=9161\njetty.http.host=127.0.0.1\n"},
		"continued value":   {"jetty.http.port=81\\\n    61\nx=1", "jetty.http.port=9161\njetty.http.host=127.0.0.1\nx=1"},
		"commented out":     {"#jetty.http.port=8161\n! jetty.http.host=h", "#jetty.http.port=8161\n! jetty.http.host=h\njetty.http.port=9161\njetty.http.host=127.0.0.1\n"},
		"empty file":        {"", "jetty.http.port=9161\njetty.http.host=127.0.0.1\n"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			res, err := PatchJettySpring(JettySpringProps, []byte(tc.in), web)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want != "" && string(res.Data) != tc.want {
				t.Errorf("got %q, want %q", res.Data, tc.want)
			}
			if got, err := ReadJettySpring(JettySpringProps, res.Data); err != nil || got != web {
				t.Errorf("reads back %+v, %v", got, err)
			}
			again, err := PatchJettySpring(JettySpringProps, res.Data, web)
			if err != nil || !bytes.Equal(again.Data, res.Data) || len(again.Changes) != 0 {
				t.Errorf("not idempotent: %q, %v", again.Data, err)
			}
		})
	}
	if _, err := ReadJettySpring("p", []byte("jetty.http.port=x\n")); err == nil || !strings.Contains(err.Error(), "p: jetty.http.port=x is not a number") {
		t.Errorf("error %v", err)
	}
}
