package cluster

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestParseProcStat(t *testing.T) {
	tests := []struct {
		name  string
		stat  string
		want  procInfo
		fails bool
	}{
		{"plain", "9339 (cat) R 9333 9333 4356 0 -1 4194304 101 0 0 0 0 0 0 0 20 0 1 0 46303 3133440 389", procInfo{'R', 46303}, false},
		{"name with spaces and parens", "42 (a) b (c)) Z 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 777 0 0", procInfo{'Z', 777}, false},
		{"truncated", "42 (java) S 1 2 3", procInfo{}, true},
		{"no name", "garbage", procInfo{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseProcStat([]byte(tt.stat))
			if (err != nil) != tt.fails || got != tt.want {
				t.Fatalf("parseProcStat = %+v, %v; want %+v, fails=%v", got, err, tt.want, tt.fails)
			}
		})
	}
}

func TestParseLocks(t *testing.T) {
	table := `1: POSIX  ADVISORY  WRITE 6052 fe:00:9978559 0 0
1: -> POSIX  ADVISORY  WRITE 7000 fe:00:9978559 0 0
2: FLOCK  ADVISORY  WRITE 6052 fe:00:9986050 0 EOF
3: OFDLCK ADVISORY  READ  -1 103:02:42 0 EOF
4: POSIX  ADVISORY  WRITE notapid fe:00:1 0 0
`
	got, err := parseLocks(strings.NewReader(table))
	if err != nil {
		t.Fatal(err)
	}
	want := []lockEntry{
		{Kind: "POSIX", Write: true, Pid: 6052, Major: 0xfe, Minor: 0, Inode: 9978559},
		{Kind: "FLOCK", Write: true, Pid: 6052, Major: 0xfe, Minor: 0, Inode: 9986050},
		{Kind: "OFDLCK", Write: false, Pid: -1, Major: 0x103, Minor: 2, Inode: 42},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("parseLocks:\n got %+v\nwant %+v", got, want)
	}
}

func TestDevMajorMinor(t *testing.T) {
	tests := []struct{ dev, major, minor uint64 }{
		{0xfe00, 0xfe, 0},
		{0x0803, 8, 3},
		{0x10302, 0x103, 2},
		{0x110302, 0x103, 0x102},          // minor bits above 8 sit at 20+
		{0x23400 | 0x1000<<32, 0x1234, 0}, // major bits above 12 sit at 44+
	}
	for _, tt := range tests {
		major, minor := devMajorMinor(tt.dev)
		if major != tt.major || minor != tt.minor {
			t.Errorf("devMajorMinor(%#x) = %#x:%#x, want %#x:%#x", tt.dev, major, minor, tt.major, tt.minor)
		}
	}
}

func TestScanListeners(t *testing.T) {
	table := `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:F0F0 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1053 1 0 100 0 0 10 0
   1: 0100007F:C732 507100CB:01BB 01 00000000:00000000 03:00000CA0 00000000     0        0 2000 3 0
   2: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3000 1 0
`
	got := map[int]uint64{}
	for port, ino := range scanListeners(strings.NewReader(table)) {
		got[port] = ino
	}
	want := map[int]uint64{0xF0F0: 1053, 80: 3000}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("listeners = %v, want %v (established sockets are not listeners)", got, want)
	}
}

func TestParseLogFacts(t *testing.T) {
	const (
		starting = "15:44:58,528 | INFO  | Apache ActiveMQ 5.17.2 (amq61716, ID:vm-42129-1795621498402-0:1) is starting"
		started  = "15:44:58,542 | INFO  | Apache ActiveMQ 5.17.2 (amq61716, ID:vm-42129-1795621498402-0:1) started"
		slave    = "15:45:02,273 | INFO  | Database /tmp/x/store/lock is locked by another server. This broker is now in slave mode waiting a lock to be acquired"
		failed   = "15:47:04,060 | ERROR | Failed to start Apache ActiveMQ (amq61716, ID:vm-34927-1795621623927-0:1)"
		launcher = "ERROR: java.lang.RuntimeException: Failed to execute start task. Reason: java.io.IOException: Failed to bind"
		shutdown = "15:47:23,367 | INFO  | Apache ActiveMQ 5.17.2 (amq61716, ID:vm-34573-1795621636154-0:1) is shutdown"
		log4j2   = "2026-11-25 15:44:58,542 | INFO  | Apache ActiveMQ 6.1.8 (amq1, ID:h-1) started | org.apache.activemq.broker.BrokerService | main"
	)
	tests := []struct {
		name  string
		lines []string
		want  logFacts
	}{
		{"nothing yet", []string{"Loading message broker from: xbean:file:/x/activemq.xml", starting}, logFacts{}},
		{"master", []string{starting, started}, logFacts{Started: true}},
		{"slave", []string{slave}, logFacts{Slave: true}},
		{"slave that took over", []string{slave, starting, started}, logFacts{Started: true, Slave: true}},
		{"failed", []string{starting, failed, launcher, shutdown}, logFacts{Failed: true}},
		{"trailing carriage return", []string{started + "\r"}, logFacts{Started: true}},
		{"layout with columns after the message", []string{log4j2}, logFacts{Started: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseLogFacts(strings.NewReader(strings.Join(tt.lines, "\n") + "\n"))
			if got != tt.want {
				t.Fatalf("parseLogFacts = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestRoleOf(t *testing.T) {
	up := logFacts{Started: true}
	tests := []struct {
		name string
		f    brokerFacts
		want Role
	}{
		{"no record", brokerFacts{}, RoleStopped},
		{"master", brokerFacts{Recorded: true, Alive: true, HoldsLock: true, Listening: true, Log: up}, RoleMaster},
		{"lock but connectors not open yet", brokerFacts{Recorded: true, Alive: true, HoldsLock: true, Log: logFacts{Slave: true}}, RoleStarting},
		{"listening before the started line", brokerFacts{Recorded: true, Alive: true, HoldsLock: true, Listening: true}, RoleStarting},
		{"slave", brokerFacts{Recorded: true, Alive: true, Log: logFacts{Slave: true}}, RoleSlave},
		{"just launched", brokerFacts{Recorded: true, Alive: true}, RoleStarting},
		{"crashed after start", brokerFacts{Recorded: true, Log: up, ExitCode: 137}, RoleStopped},
		{"slave killed", brokerFacts{Recorded: true, Log: logFacts{Slave: true}, ExitCode: -1}, RoleStopped},
		{"failed by log", brokerFacts{Recorded: true, Log: logFacts{Failed: true}, ExitCode: -1}, RoleFailed},
		{"failed by exit code", brokerFacts{Recorded: true, ExitCode: 1}, RoleFailed},
		{"stopped while starting", brokerFacts{Recorded: true, Stopping: true, ExitCode: 143, Log: logFacts{Failed: true}}, RoleStopped},
		{"stale record, nothing known", brokerFacts{Recorded: true, ExitCode: -1}, RoleStopped},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := roleOf(tt.f); got != tt.want {
				t.Fatalf("roleOf(%+v) = %s, want %s", tt.f, got, tt.want)
			}
		})
	}
}

func TestTailFile(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("x", 10000) // longer than one read block
	tests := []struct {
		name    string
		content string
		n       int
		want    []string
	}{
		{"missing", "", 3, nil},
		{"fewer lines than asked", "a\nb\n", 5, []string{"a", "b"}},
		{"last two", "a\nb\nc\n", 2, []string{"b", "c"}},
		{"no final newline", "a\nb\nc", 2, []string{"b", "c"}},
		{"zero", "a\nb\n", 0, nil},
		{"across blocks", "first\n" + long + "\nlast\n", 2, []string{long, "last"}},
		{"crlf", "a\r\nb\r\n", 1, []string{"b"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "log"+string(rune('a'+i)))
			if tt.name != "missing" {
				if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := tailFile(path, tt.n)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("tailFile(%q, %d) = %q, want %q", tt.content, tt.n, got, tt.want)
			}
		})
	}
}

func TestParseJavaMajor(t *testing.T) {
	tests := map[string]int{
		`openjdk version "17.0.15" 2025-04-15`: 17,
		`java version "1.8.0_402"`:             8,
		`openjdk version "21" 2023-09-19`:      21,
		`something else`:                       0,
	}
	for out, want := range tests {
		if got := parseJavaMajor(out); got != want {
			t.Errorf("parseJavaMajor(%q) = %d, want %d", out, got, want)
		}
	}
}
