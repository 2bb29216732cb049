package cluster

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestBrokerArgs(t *testing.T) {
	p, err := NewPlan(t.TempDir(), PlanOptions{Heap: "300m", JavaOpts: []string{"-Xmx1g", "-Dx=y"}})
	if err != nil {
		t.Fatal(err)
	}
	b := p.Brokers[0]
	args := brokerArgs(p, b)
	idx := func(a string) int { return slices.Index(args, a) }
	if idx("-Xmx300m") != 0 || idx("-Xmx1g") < idx("-Xmx300m") {
		t.Errorf("the lab heap must come first so that a -Xmx in --java-opts wins: %q", args)
	}
	if !slices.Contains(args, brokerMarker(b)) {
		t.Errorf("no marker %q in %q", brokerMarker(b), args)
	}
	tail := strings.Join(args[len(args)-4:], " ")
	want := "-jar " + filepath.Join(b.Home, "bin", "activemq.jar") + " start xbean:file:" + filepath.Join(b.ConfDir(), "activemq.xml")
	if tail != want {
		t.Errorf("command ends with %q, want %q", tail, want)
	}
	for _, a := range args {
		if strings.HasPrefix(a, "-Djava.security.auth.login.config=") {
			t.Errorf("login.config passed although conf/ has none: %q", a)
		}
	}
	if err := os.MkdirAll(b.ConfDir(), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b.ConfDir(), "login.config"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	login := "-Djava.security.auth.login.config=" + filepath.Join(b.ConfDir(), "login.config")
	if !slices.Contains(brokerArgs(p, b), login) {
		t.Errorf("conf/login.config exists but %q is not passed", login)
	}
}
