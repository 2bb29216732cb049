package xmlpatch

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// Stock conf/ files of real releases live in testdata/conf/<release>/.
const confDir = "testdata/conf"

func releases(t testing.TB) []string {
	t.Helper()
	entries, err := os.ReadDir(confDir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	if len(out) < 7 {
		t.Fatalf("found %d releases in %s, want the 7 fixtures", len(out), confDir)
	}
	return out
}

func readConf(t testing.TB, release, file string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(confDir, release, file))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func hasConf(release, file string) bool {
	_, err := os.Stat(filepath.Join(confDir, release, file))
	return err == nil
}

// hasWebConsole: Debian's package has no web console jars.
func hasWebConsole(release string) bool { return !strings.HasPrefix(release, "debian") }

// specA is the second broker of the walkthrough's lab.
func specA(release string) BrokerSpec {
	return BrokerSpec{
		BrokerName:   "amq61617",
		Host:         "127.0.0.1",
		OpenWirePort: 61617,
		StompPort:    62613,
		StoreDir:     "/lab/store",
		LockInterval: 200,
		NetworkPeers: []string{"tcp://127.0.0.1:61616"},
		WebConsole:   hasWebConsole(release),
	}
}

// specB changes every planned value of specA.
func specB(release string) BrokerSpec {
	return BrokerSpec{
		BrokerName:   "amq51617",
		Host:         "localhost",
		OpenWirePort: 51617,
		StompPort:    52613,
		StoreDir:     "/other lab/store&more",
		LockInterval: 1000,
		KeepAlive:    5000,
		NetworkPeers: []string{"tcp://localhost:51616", "tcp://localhost:51618"},
		WebConsole:   hasWebConsole(release),
	}
}

// specC is specA without STOMP and without network connectors.
func specC(release string) BrokerSpec {
	s := specA(release)
	s.StompPort = 0
	s.NetworkPeers = nil
	return s
}

func patch(t testing.TB, data []byte, spec BrokerSpec) []byte {
	t.Helper()
	res, err := PatchActiveMQ("activemq.xml", data, spec)
	if err != nil {
		t.Fatal(err)
	}
	return res.Data
}

// assertSettings checks, independently of the patcher's own check, that
// data configures the broker spec describes.
func assertSettings(t testing.TB, data []byte, spec BrokerSpec) {
	t.Helper()
	st, err := ReadSettings("activemq.xml", data)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"openwire": net.JoinHostPort(spec.Host, strconv.Itoa(spec.OpenWirePort))}
	if spec.StompPort != 0 {
		want["stomp"] = net.JoinHostPort(spec.Host, strconv.Itoa(spec.StompPort))
	}
	got := map[string]string{}
	for _, c := range st.Connectors {
		scheme, rest, _ := strings.Cut(c.URI, "://")
		authority, _, _ := strings.Cut(rest, "?")
		protocol := "openwire"
		if strings.HasPrefix(strings.ToLower(scheme), "stomp") {
			protocol = "stomp"
		}
		got[protocol] = authority
	}
	if len(got) != len(want) || len(st.Connectors) != len(want) {
		t.Errorf("connectors %v, want %v", st.Connectors, want)
	}
	for name, addr := range want {
		if got[name] != addr {
			t.Errorf("%s connector on %q, want %q", name, got[name], addr)
		}
	}
	if st.BrokerName != spec.BrokerName {
		t.Errorf("brokerName %q, want %q", st.BrokerName, spec.BrokerName)
	}
	if st.StoreKind != "kahaDB" || st.Store != spec.StoreDir {
		t.Errorf("store %s %q, want kahaDB %q", st.StoreKind, st.Store, spec.StoreDir)
	}
	if st.LockInterval != spec.LockInterval || st.KeepAlive != spec.KeepAlive {
		t.Errorf("lock interval %d keep-alive %d, want %d and %d", st.LockInterval, st.KeepAlive, spec.LockInterval, spec.KeepAlive)
	}
	var peers []string
	for _, nc := range st.NetworkConnectors {
		if strings.HasPrefix(nc.Name, NetworkConnectorPrefix) {
			peers = append(peers, strings.TrimSuffix(strings.TrimPrefix(nc.URI, "static:("), ")"))
		}
	}
	if strings.Join(peers, " ") != strings.Join(spec.NetworkPeers, " ") {
		t.Errorf("network peers %v, want %v", peers, spec.NetworkPeers)
	}
	if !spec.WebConsole && st.WebConsole {
		t.Error("the web console import is still there")
	}
}

// untouched is what a patch must leave as it was: the document without
// the parts the patch edits, and without blank text, so that removed lines
// do not count.
func untouched(t testing.TB, data []byte, removeWebImport bool) string {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(data); err != nil {
		t.Fatal(err)
	}
	for _, b := range doc.FindElements("//broker") {
		b.RemoveAttr("brokerName")
		for _, l := range b.SelectElements("transportConnectors") {
			for _, tc := range l.SelectElements("transportConnector") {
				l.RemoveChild(tc)
			}
		}
		for _, l := range b.SelectElements("networkConnectors") {
			b.RemoveChild(l)
		}
		for _, k := range b.FindElements("persistenceAdapter/kahaDB") {
			k.RemoveAttr("directory")
			k.RemoveAttr("lockKeepAlivePeriod")
			for _, l := range k.SelectElements("locker") {
				k.RemoveChild(l)
			}
		}
	}
	if removeWebImport {
		for _, imp := range doc.Root().SelectElements("import") {
			doc.Root().RemoveChild(imp)
		}
	}
	var dropBlanks func(e *etree.Element)
	dropBlanks = func(e *etree.Element) {
		for _, tok := range append([]etree.Token(nil), e.Child...) {
			switch tok := tok.(type) {
			case *etree.CharData:
				if tok.IsWhitespace() {
					e.RemoveChild(tok)
				}
			case *etree.Element:
				dropBlanks(tok)
			}
		}
	}
	dropBlanks(&doc.Element)
	s, err := doc.WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	return s
}
