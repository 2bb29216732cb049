package cluster

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/amqlab/amqlab/templates"
	"github.com/amqlab/amqlab/xmlpatch"
)

// Stock conf/ files of real releases, shared with the xmlpatch tests.
const fixtureConf = "../xmlpatch/testdata/conf"

// fixtureDist describes the release a fixture conf/ comes from, as Inspect
// would: log4j 1 up to 5.16 and on Debian, no web console on Debian.
func fixtureDist(release string) *Distribution {
	d := &Distribution{Version: strings.TrimPrefix(release, "debian-"), Logging: LoggingLog4j2, WebConsole: true, Protocols: []string{"amqp", "mqtt", "stomp"}, HasConf: true}
	switch {
	case strings.HasPrefix(release, "debian"):
		d.Logging, d.WebConsole, d.Protocols, d.HasConf = LoggingLog4j1, false, []string{"mqtt", "stomp"}, false
	case strings.HasPrefix(release, "5.14") || strings.HasPrefix(release, "5.15"):
		d.Logging = LoggingLog4j1
	}
	return d
}

// fakeInstall gives every broker of a new lab the conf/ of a release, the
// way Install leaves it, without copying jars.
func fakeInstall(t *testing.T, release string) *Lab {
	t.Helper()
	l, err := Create(filepath.Join(t.TempDir(), "lab"), PlanOptions{Brokers: 3})
	if err != nil {
		t.Fatal(err)
	}
	d := fixtureDist(release)
	for _, b := range l.Plan().Brokers {
		if err := os.MkdirAll(b.ConfDir(), 0o755); err != nil {
			t.Fatal(err)
		}
		entries, err := os.ReadDir(filepath.Join(fixtureConf, release))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			data, err := os.ReadFile(filepath.Join(fixtureConf, release, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(b.ConfDir(), e.Name()), data)
		}
		if !d.HasConf { // what Install writes for Debian
			writeFile(t, filepath.Join(b.ConfDir(), activemqXMLFile), templates.ActiveMQXML())
			writeFile(t, filepath.Join(b.ConfDir(), log4jFile), templates.Log4jProperties())
		}
	}
	l.state.Dist = d
	return l
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// snapshotConf maps every file of every broker's conf/ to its content.
func snapshotConf(t *testing.T, l *Lab) map[string]string {
	t.Helper()
	files := map[string]string{}
	for _, b := range l.Plan().Brokers {
		entries, err := os.ReadDir(b.ConfDir())
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			p := filepath.Join(b.ConfDir(), e.Name())
			files[p] = string(readFile(t, p))
		}
	}
	return files
}

func fixtureReleases(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(fixtureConf)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// assertConfigured checks every broker's effective settings against the plan.
func assertConfigured(t *testing.T, l *Lab) {
	t.Helper()
	p, d := l.Plan(), l.Dist()
	for _, b := range p.Brokers {
		st, err := l.ConfigShow(b.Name)
		if err != nil {
			t.Fatal(err)
		}
		if st.BrokerName != b.Name || st.Store != p.Store || st.LockInterval != p.LockInterval || st.KeepAlive != p.KeepAlive {
			t.Errorf("%s: settings %+v do not follow the plan", b.Name, st)
		}
		want := []string{"tcp://" + p.Host + ":" + strconv.Itoa(b.OpenWirePort)}
		if b.StompPort != 0 {
			want = append(want, "stomp://"+p.Host+":"+strconv.Itoa(b.StompPort))
		}
		var got []string
		for _, c := range st.Connectors {
			got = append(got, strings.SplitN(c.URI, "?", 2)[0])
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: connectors %v, want %v", b.Name, got, want)
		}
		peers := 0
		for _, nc := range st.NetworkConnectors {
			if strings.HasPrefix(nc.URI, "static:(tcp://"+p.Host+":") && !strings.Contains(nc.URI, ":"+strconv.Itoa(b.OpenWirePort)+")") {
				peers++
			}
		}
		if want := len(p.Brokers) - 1; !p.NetworkConnectors {
			want = 0
			if peers != want {
				t.Errorf("%s: %d network connectors, want none", b.Name, peers)
			}
		} else if peers != want {
			t.Errorf("%s: %d network connectors to the other brokers, want %d", b.Name, peers, want)
		}
		if st.WebConsole != d.WebConsole {
			t.Errorf("%s: web console import %v, install has web console %v", b.Name, st.WebConsole, d.WebConsole)
		}
		if d.WebConsole && (st.WebHost != p.Host || st.WebPort != b.WebPort) {
			t.Errorf("%s: web console on %s:%d, want %s:%d", b.Name, st.WebHost, st.WebPort, p.Host, b.WebPort)
		}
	}
}

func TestConfigureEveryRelease(t *testing.T) {
	for _, rel := range fixtureReleases(t) {
		t.Run(rel, func(t *testing.T) {
			l := fakeInstall(t, rel)
			before := snapshotConf(t, l)
			reports, err := l.Configure(nil)
			if err != nil {
				t.Fatal(err)
			}
			assertConfigured(t, l)
			if len(reports) != 3 || len(reports[0].Written) == 0 || len(reports[0].Changes) == 0 {
				t.Errorf("reports %+v", reports)
			}
			if fi, err := os.Stat(l.Plan().Store); err != nil || !fi.IsDir() {
				t.Errorf("shared store not created: %v", err)
			}
			// Every file that changed has its stock content in .orig.
			after := snapshotConf(t, l)
			for path, old := range before {
				if after[path] != old && after[path+origSuffix] != old {
					t.Errorf("%s changed without a .orig copy of the stock file", path)
				}
			}
			b := l.Plan().Brokers[1]
			switch d := l.Dist(); {
			case d.Logging == LoggingLog4j1:
				if got := readFile(t, filepath.Join(b.ConfDir(), log4jFile)); !bytes.Equal(got, templates.Log4jProperties()) {
					t.Error("log4j.properties is not amqlab's")
				}
			default:
				if got := readFile(t, filepath.Join(b.ConfDir(), log4j2File)); !bytes.Contains(got, []byte("layout.pattern="+xmlpatch.ConsoleDatePattern)) {
					t.Error("log4j2 console pattern shows no time")
				}
			}

			// Again with the same plan: nothing to write, nothing changes.
			reports, err = l.Configure(nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range reports {
				if len(r.Written) != 0 || len(r.Changes) != 0 {
					t.Errorf("second run changed %s: %v %v", r.Broker, r.Written, r.Changes)
				}
			}
			if again := snapshotConf(t, l); !mapsEqual(again, after) {
				t.Error("second run changed files")
			}
		})
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestConfigureReplanUpdatesInPlace(t *testing.T) {
	l := fakeInstall(t, "5.18.7")
	if _, err := l.Configure(nil); err != nil {
		t.Fatal(err)
	}
	origs := map[string]string{}
	for p, c := range snapshotConf(t, l) {
		if strings.HasSuffix(p, origSuffix) {
			origs[p] = c
		}
	}
	// Broker names follow the OpenWire ports, so those stay.
	err := l.Replan(PlanOptions{Brokers: 3, StompPorts: []int{41613}, WebPorts: []int{48161}, LockInterval: 1000, KeepAlive: 3000, NoNetworkConnectors: true, Store: filepath.Join(l.Dir(), "other-store")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Configure(nil); err != nil {
		t.Fatal(err)
	}
	assertConfigured(t, l)
	now := snapshotConf(t, l)
	for p, c := range origs {
		if now[p] != c {
			t.Errorf("%s was overwritten", p)
		}
	}
	if len(origs) == 0 {
		t.Error("no .orig files after the first run")
	}
}

func TestConfigureChangesNothingWhenOneBrokerFails(t *testing.T) {
	l := fakeInstall(t, "5.17.7")
	last := l.Plan().Brokers[2]
	jdbc := bytes.Replace(readFile(t, filepath.Join(last.ConfDir(), activemqXMLFile)),
		[]byte(`<kahaDB directory="${activemq.data}/kahadb"/>`), []byte(`<jdbcPersistenceAdapter dataSource="#pg"/>`), 1)
	writeFile(t, filepath.Join(last.ConfDir(), activemqXMLFile), jdbc)
	before := snapshotConf(t, l)
	_, err := l.Configure(nil)
	if err == nil || !strings.Contains(err.Error(), "JDBC") || !strings.Contains(err.Error(), filepath.Join(last.ConfDir(), activemqXMLFile)) || !strings.Contains(err.Error(), "no file of any broker was changed") {
		t.Fatalf("error %v, want one naming the JDBC store and the file", err)
	}
	if after := snapshotConf(t, l); !mapsEqual(before, after) {
		t.Error("files changed although one broker could not be configured")
	}
}

func TestConfigureBadStoreOrFiles(t *testing.T) {
	cases := map[string]struct {
		breakIt func(t *testing.T, l *Lab)
		want    string
	}{
		"relative store": {func(t *testing.T, l *Lab) { l.state.Plan.Store = "store" }, "relative path"},
		"store under a file": {func(t *testing.T, l *Lab) {
			f := filepath.Join(l.Dir(), "plain-file")
			writeFile(t, f, nil)
			l.state.Plan.Store = filepath.Join(f, "store")
		}, "cannot be created"},
		"missing activemq.xml": {func(t *testing.T, l *Lab) {
			os.Remove(filepath.Join(l.Plan().Brokers[1].ConfDir(), activemqXMLFile))
		}, "activemq.xml is missing; reinstall"},
		"malformed jetty.xml": {func(t *testing.T, l *Lab) {
			writeFile(t, filepath.Join(l.Plan().Brokers[0].ConfDir(), xmlpatch.JettyXML), []byte("<beans>\n<bean id=\"jettyPort\">"))
		}, "jetty.xml:2:1: <bean> is never closed"},
		"nothing installed": {func(t *testing.T, l *Lab) { l.state.Dist = nil }, "run 'amqlab install' first"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			l := fakeInstall(t, "5.17.7")
			tc.breakIt(t, l)
			before := snapshotConf(t, l)
			_, err := l.Configure(nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
			if after := snapshotConf(t, l); !mapsEqual(before, after) {
				t.Error("files changed")
			}
		})
	}
}

func TestConfigDiff(t *testing.T) {
	l := fakeInstall(t, "5.17.7")
	if _, err := l.ConfigDiff(); err == nil || !strings.Contains(err.Error(), "has not been configured yet") {
		t.Errorf("before configure: %v", err)
	}
	if _, err := l.Configure(nil); err != nil {
		t.Fatal(err)
	}
	b := l.Plan().Brokers[1]
	out, err := l.ConfigDiff(b.Name)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"--- " + b.Name + "/conf/activemq.xml.orig\n+++ " + b.Name + "/conf/activemq.xml\n",
		`-            <transportConnector name="amqp"`,
		`+            <transportConnector name="openwire" uri="tcp://127.0.0.1:` + strconv.Itoa(b.OpenWirePort) + `?`,
		`+            <kahaDB directory="` + l.Plan().Store + `">`,
		"--- " + b.Name + "/conf/jetty.xml.orig",
		`+        <property name="port" value="` + strconv.Itoa(b.WebPort) + `"/>`,
		"--- " + b.Name + "/conf/log4j2.properties.orig",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("diff lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, l.Plan().Brokers[0].Name+"/conf") {
		t.Error("diff of one broker shows another")
	}
	all, err := l.ConfigDiff()
	if err != nil || strings.Count(all, "/conf/activemq.xml.orig") != 3 {
		t.Errorf("diff of all brokers: %v\n%s", err, all)
	}
	if _, err := l.ConfigDiff("nope"); err == nil || !strings.Contains(err.Error(), `no broker "nope"`) {
		t.Errorf("unknown broker: %v", err)
	}
}

// infoRecorder keeps what a Reporter was told, informational lines included.
type infoRecorder struct {
	Quiet
	infos, warns []string
	steps        []string
}

func (r *infoRecorder) Info(msg string) { r.infos = append(r.infos, msg) }
func (r *infoRecorder) Warn(msg string) { r.warns = append(r.warns, msg) }
func (r *infoRecorder) Step(name string) func(error) {
	return func(err error) { r.steps = append(r.steps, fmt.Sprintf("%s: %v", name, err)) }
}

func TestConfigureSaysOnceThatTheWebConsoleGoes(t *testing.T) {
	for rel, want := range map[string]int{"5.17.7": 1, "debian-5.17.2": 0} {
		l := fakeInstall(t, rel)
		l.state.Dist.WebConsole = false
		rec := &infoRecorder{}
		if _, err := l.Configure(rec); err != nil {
			t.Fatal(err)
		}
		assertConfigured(t, l)
		n := 0
		for _, m := range rec.infos {
			if strings.Contains(m, "no web console") {
				n++
			}
		}
		if n != want {
			t.Errorf("%s: said %d times that the web console import goes, want %d: %q", rel, n, want, rec.infos)
		}
		if len(rec.steps) != 4 || rec.steps[3] != "Configure "+l.Plan().Brokers[2].Name+": <nil>" {
			t.Errorf("%s: steps %q", rel, rec.steps)
		}
	}
}
