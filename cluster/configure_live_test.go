package cluster_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amqlab/amqlab/cluster"
	"github.com/amqlab/amqlab/internal/testlab"
)

// TestPatchedStockConfigsStart proves that ActiveMQ itself, not only etree,
// accepts what the configure step writes: each release's stock
// activemq.xml, patched for a two-broker lab, runs on this machine's
// broker, one master listening on its planned ports and one slave waiting
// for the lock. Releases whose stock file needs classes this broker lacks
// are left out: 5.14 and 5.15 declare a log-query bean from a library that
// only their own distribution ships.
func TestPatchedStockConfigsStart(t *testing.T) {
	home := testlab.RequireActiveMQ(t)
	confs := map[string]string{ // case: fixture directory ("" = amqlab's stock file)
		"amqlab template": "",
		"debian-5.17.2":   "debian-5.17.2",
		"5.17.7":          "5.17.7",
		"5.18.7":          "5.18.7",
		"6.1.8":           "6.1.8",
		"6.3.1":           "6.3.1",
	}
	names := make([]string, 0, len(confs))
	for name := range confs {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			ports := testlab.FreePorts(t, 6)
			lab, err := cluster.Create(filepath.Join(t.TempDir(), "lab"), cluster.PlanOptions{
				OpenWirePorts: ports[0:2], StompPorts: ports[2:4], WebPorts: ports[4:6], LockInterval: 200,
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { testlab.Teardown(t, lab) })
			ctx := liveCtx(t)
			if err := lab.Install(ctx, cluster.InstallOptions{Dist: home, Search: []string{}}); err != nil {
				t.Fatal(err)
			}
			if fixture := confs[name]; fixture != "" {
				for _, b := range lab.Plan().Brokers {
					copyFixture(t, filepath.Join("..", "xmlpatch", "testdata", "conf", fixture), b.ConfDir(), "activemq.xml", "credentials.properties")
				}
			}
			configured := time.Now()
			if _, err := lab.Configure(nil); err != nil {
				t.Fatal(err)
			}
			t.Logf("configure: %v", time.Since(configured).Round(time.Millisecond))
			started := time.Now()
			if err := lab.Start(ctx, cluster.StartOptions{}); err != nil {
				t.Fatalf("start: %v\n%s", err, logTail(lab))
			}
			st, err := lab.WaitSettled(ctx)
			if err != nil {
				t.Fatalf("settle: %v\n%s", err, logTail(lab))
			}
			t.Logf("two brokers settled in %v", time.Since(started).Round(time.Millisecond))
			for _, s := range st {
				log, _ := os.ReadFile(lab.LogPath(s.Name))
				switch s.Role {
				case cluster.RoleMaster:
					want := []int{s.OpenWirePort, s.StompPort}
					if !slices.Equal(s.Listening, want) {
						t.Errorf("master %s listens on %v, want %v", s.Name, s.Listening, want)
					}
					if !strings.Contains(string(log), "("+s.Name+", ") || !consoleLine.Match(log) {
						t.Errorf("master %s did not log \"time |  INFO | … started\" as %s:\n%s", s.Name, s.Name, log)
					}
				case cluster.RoleSlave:
					if len(s.Listening) != 0 || !strings.Contains(string(log), "slave mode") {
						t.Errorf("slave %s listens on %v or did not log slave mode:\n%s", s.Name, s.Listening, log)
					}
				default:
					t.Errorf("%s is %s:\n%s", s.Name, s.Role, log)
				}
			}
		})
	}
}

// consoleLine is a broker console line as the lab's logging writes it:
// time, level, message.
var consoleLine = regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \|  INFO \| Apache ActiveMQ .* started$`)

func copyFixture(t *testing.T, from, to string, files ...string) {
	t.Helper()
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(from, f))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func logTail(lab *cluster.Lab) string {
	var b strings.Builder
	for _, br := range lab.Plan().Brokers {
		data, _ := os.ReadFile(lab.LogPath(br.Name))
		lines := strings.Split(string(data), "\n")
		b.WriteString("== " + br.Name + "\n" + strings.Join(lines[max(0, len(lines)-25):], "\n") + "\n")
	}
	return b.String()
}
