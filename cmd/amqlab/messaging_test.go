package main

import (
	"bytes"
	"encoding/json"
	"net"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/amqlab/amqlab/internal/testlab"
)

// runCLI runs amqlab in-process and returns its exit code and output.
func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// closedPorts returns loopback ports nobody listens on.
func closedPorts(t *testing.T, n int) []int {
	ports := testlab.FreePorts(t, n)
	for _, p := range ports {
		if c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(p)); err == nil {
			c.Close()
			t.Skipf("port %d became busy", p)
		}
	}
	return ports
}

// TestMessagingExitCodes: usage errors exit 2, an unreachable broker 3,
// each with one clear line about what is wrong.
func TestMessagingExitCodes(t *testing.T) {
	ports := closedPorts(t, 2)
	down := "failover:(stomp://127.0.0.1:" + strconv.Itoa(ports[0]) + ",stomp://127.0.0.1:" + strconv.Itoa(ports[1]) + ")?randomize=false"
	noLab := filepath.Join(t.TempDir(), "nolab")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"malformed URL", []string{"send", "--url", "failover:(stomp://127.0.0.1:6161x)"}, exitUsage, "^^"},
		{"unknown destination scheme", []string{"send", "--url", down, "-d", "amqp://q"}, exitUsage, "unknown scheme"},
		{"missing file", []string{"send", "--url", down, "--file", filepath.Join(noLab, "body.txt")}, exitUsage, "--file"},
		{"two bodies", []string{"send", "--url", down, "--body", "x", "--size", "3"}, exitUsage, "one of --body"},
		{"bad header", []string{"send", "--url", down, "--header", "novalue"}, exitUsage, "key=value"},
		{"bad priority", []string{"send", "--url", down, "--priority", "12"}, exitUsage, "0 to 9"},
		{"unknown driver", []string{"browse", "--url", down, "--driver", "amqp"}, exitUsage, "--driver"},
		{"browse a topic", []string{"browse", "--url", down, "-d", "topic://t"}, exitUsage, "only queues"},
		{"unknown flag", []string{"consume", "--nope"}, exitUsage, "unknown flag"},
		{"no broker reachable", []string{"send", "--url", down, "--timeout", "500ms"}, exitUnreachable, "connection refused"},
		{"no lab and no URL", []string{"--dir", noLab, "browse"}, exitFailure, "no --url given"},
		{"openwire without a lab", []string{"--dir", noLab, "send", "--driver", "openwire", "--url", "tcp://127.0.0.1:1"}, exitFailure, "Java client tools"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", code, stderr, tt.code, tt.want)
			}
		})
	}
}

func TestSendFlagsBuildMessages(t *testing.T) {
	cmd := newSendCmd(&app{})
	if err := cmd.ParseFlags([]string{"-n", "3", "--size", "10", "--header", "a=b=c", "--priority", "0"}); err != nil {
		t.Fatal(err)
	}
	var sf sendFlags
	sf.count, sf.size, sf.priority, sf.headers = 3, 10, 0, []string{"a=b=c"}
	msgs, err := sf.messages(cmd)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 || len(msgs[0].Body) != 10 || msgs[0].Headers["a"] != "b=c" || msgs[0].Headers["priority"] != "0" {
		t.Errorf("messages %+v", msgs[0])
	}
}

var messageLineRE = regexp.MustCompile(`^ +\d+ ID:\S+ TextMessage \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \d+ B$`)

// TestSendBrowseConsumeOnALab drives the three commands against a real lab,
// through the lab's default failover URL.
func TestSendBrowseConsumeOnALab(t *testing.T) {
	lab := testlab.New(t, testlab.Options{Start: true})
	dir := []string{"--dir", lab.Dir(), "--no-color"}

	code, out, errOut := runCLI(append(dir, "send", "-n", "3", "--body", "hello", "--priority", "7", "--header", "app=cli")...)
	if code != 0 || !strings.Contains(out, "sent 3 of 3 persistent message(s) to queue://test") {
		t.Fatalf("send: exit %d\n%s%s", code, out, errOut)
	}
	if want := "connected to stomp://127.0.0.1:" + strconv.Itoa(lab.Plan().Brokers[0].StompPort); !strings.Contains(errOut, want) {
		t.Errorf("send should say %q on stderr, got %q", want, errOut)
	}

	code, out, errOut = runCLI(append(dir, "browse")...)
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if code != 0 || len(lines) != 4 || lines[3] != "3 message(s) on queue://test" {
		t.Fatalf("browse: exit %d\n%s%s", code, out, errOut)
	}
	for _, l := range lines[:3] {
		if !messageLineRE.MatchString(l) {
			t.Errorf("browse line %q does not show index, id, type, timestamp and size", l)
		}
	}

	code, out, _ = runCLI(append(dir, "browse", "--json", "--body")...)
	var rep struct {
		Count    int `json:"count"`
		Messages []struct {
			ID      string            `json:"id"`
			Body    string            `json:"body"`
			Headers map[string]string `json:"headers"`
		} `json:"messages"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 {
		t.Fatalf("browse --json: exit %d, %v\n%s", code, err, out)
	}
	if rep.Count != 3 || rep.Messages[0].Body != "hello" || rep.Messages[0].Headers["priority"] != "7" || rep.Messages[0].Headers["app"] != "cli" {
		t.Errorf("browse --json = %+v", rep)
	}

	code, out, _ = runCLI(append(dir, "consume", "-n", "2", "--body")...)
	if code != 0 || strings.Count(out, "       hello\n") != 2 || !strings.Contains(out, "2 message(s) consumed from queue://test") {
		t.Errorf("consume: exit %d\n%s", code, out)
	}

	code, out, errOut = runCLI(append(dir, "browse", "--driver", "openwire", "--json")...)
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 || rep.Count != 1 || rep.Messages[0].ID != lastID(t, dir) {
		t.Errorf("openwire browse: exit %d, %v\n%s%s", code, err, out, errOut)
	}
	if strings.Contains(errOut, "ACTIVEMQ_HOME") {
		t.Errorf("the JVM banner must stay hidden without -v:\n%s", errOut)
	}

	for _, args := range [][]string{
		{"send", "--driver", "openwire", "--header", "a=b"},
		{"consume", "--driver", "openwire"},
	} {
		code, _, errOut = runCLI(append(dir, args...)...)
		if code != exitUsage || !strings.Contains(errOut, "not supported by the Java client tools") {
			t.Errorf("%v: exit %d, %s; want a usage error", args, code, errOut)
		}
	}
}

// lastID browses with the native client and returns the only message's id.
func lastID(t *testing.T, dir []string) string {
	t.Helper()
	_, out, _ := runCLI(append(dir, "browse", "--json")...)
	var rep struct {
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Messages) != 1 {
		t.Fatalf("native browse: %v\n%s", err, out)
	}
	return rep.Messages[0].ID
}

func TestURLSetsTimeout(t *testing.T) {
	for raw, want := range map[string]bool{
		"failover:(stomp://127.0.0.1:1,stomp://127.0.0.1:2)?timeout=1500":                       true,
		"failover:(stomp://127.0.0.1:1?timeout=9,stomp://127.0.0.1:2)?randomize=false":          false,
		"failover:(stomp://127.0.0.1:1,stomp://127.0.0.1:2)?randomize=false&timeout=-1":         true,
		"stomp://127.0.0.1:61613?timeout=2000":                                                  true,
		"stomp://127.0.0.1:61613":                                                               false,
		"failover:(stomp://127.0.0.1:1,stomp://127.0.0.1:2)?maxReconnectDelay=1000&mytimeout=1": false,
	} {
		if got := urlSetsTimeout(raw); got != want {
			t.Errorf("urlSetsTimeout(%q) = %v, want %v", raw, got, want)
		}
	}
}
