package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/amqlab/amqlab/cluster"
	"github.com/amqlab/amqlab/internal/distfixture"
	"github.com/amqlab/amqlab/xmlpatch"
)

func TestConfigCommands(t *testing.T) {
	home := distfixture.Upstream(t, distfixture.Home(t)) // a release with the stock conf/ of 5.17.7
	dir := filepath.Join(t.TempDir(), "lab")
	var out, errOut bytes.Buffer
	runOK := func(args ...string) string {
		t.Helper()
		out.Reset()
		errOut.Reset()
		if code := run(append([]string{"--dir", dir}, args...), &out, &errOut); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut.String())
		}
		return out.String()
	}
	runOK(append([]string{"install", "--dist", home, "--store", filepath.Join(dir, "shared")}, portFlags(t, 0)...)...)
	lab, err := cluster.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	b := lab.Plan().Brokers[1]

	var st xmlpatch.Settings
	if err := json.Unmarshal([]byte(runOK("config", "show", b.Name, "--json")), &st); err != nil {
		t.Fatal(err)
	}
	if st.BrokerName != b.Name || st.Store != filepath.Join(dir, "shared") || len(st.Connectors) == 0 ||
		!strings.HasPrefix(st.Connectors[0].URI, "tcp://127.0.0.1:"+strconv.Itoa(b.OpenWirePort)+"?") {
		t.Errorf("config show --json: %+v", st)
	}

	table := runOK("config", "show", b.Name)
	for _, want := range []string{
		`broker name\s+` + b.Name + `$`,
		`connector openwire\s+tcp://127\.0\.0\.1:` + strconv.Itoa(b.OpenWirePort) + `\?`,
		`store\s+` + regexp.QuoteMeta(filepath.Join(dir, "shared")) + ` \(KahaDB\)$`,
		`lock interval\s+` + strconv.Itoa(lab.Plan().LockInterval) + ` ms`,
		`keep-alive\s+off$`,
		`network amqlab-\S+\s+static:\(tcp://127\.0\.0\.1:` + strconv.Itoa(lab.Plan().Brokers[0].OpenWirePort) + `\)$`,
	} {
		if !regexp.MustCompile("(?m)^" + want).MatchString(table) {
			t.Errorf("config show has no line matching %q:\n%s", want, table)
		}
	}

	diff := runOK("config", "diff", b.Name)
	for _, want := range []string{
		"--- " + b.Name + "/conf/activemq.xml.orig\n",
		`-            <transportConnector name="amqp"`,
		`+        <networkConnectors>`,
	} {
		if !strings.Contains(diff, want) {
			t.Errorf("config diff lacks %q:\n%s", want, diff)
		}
	}
	if strings.Contains(diff, "\x1b[") {
		t.Error("colour codes in output that is not a terminal")
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"config", "show"}, exitUsage, "accepts 1 arg"},
		{[]string{"config", "show", "nope"}, exitFailure, `no broker "nope" in this lab`},
		{[]string{"config", "diff", "nope"}, exitFailure, `no broker "nope" in this lab`},
	} {
		out.Reset()
		errOut.Reset()
		if code := run(append([]string{"--dir", dir}, tc.args...), &out, &errOut); code != tc.code || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d saying %q", tc.args, code, errOut.String(), tc.code, tc.want)
		}
	}
}
