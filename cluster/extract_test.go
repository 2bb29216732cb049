package cluster

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amqlab/amqlab/internal/distfixture"
)

func TestCleanEntryName(t *testing.T) {
	tests := []struct {
		name, want, wantErr string
	}{
		{name: "apache-activemq-5.18.6/bin/activemq.jar", want: "apache-activemq-5.18.6/bin/activemq.jar"},
		{name: "apache-activemq-5.18.6/", want: "apache-activemq-5.18.6"},
		{name: "./apache-activemq-5.18.6/lib//x.jar", want: "apache-activemq-5.18.6/lib/x.jar"},
		{name: "./", want: "."},
		{name: "a/./b", want: "a/b"},
		{name: "../x", wantErr: `".."`},
		{name: "a/../../x", wantErr: `".."`},
		{name: "a/b/..", wantErr: `".."`},
		{name: "a/../b", wantErr: `".."`},
		{name: "/etc/passwd", wantErr: "absolute"},
		{name: `a\..\..\x`, wantErr: "backslash"},
		{name: "a/\x00b", wantErr: "NUL"},
		{name: "", wantErr: "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := cleanEntryName(tt.name)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("cleanEntryName(%q) = %q, %v; want an error about %s", tt.name, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("cleanEntryName(%q) = %q, %v; want %q", tt.name, got, err, tt.want)
			}
		})
	}
}

func TestCheckSymlinkTarget(t *testing.T) {
	tests := []struct {
		target string
		ok     bool
	}{
		{"activemq-broker-5.18.6.jar", true},
		{"sub/dir/file", true},
		{".", true},
		{"../lib/x.jar", false},
		{"sub/../../x", false},
		{"..", false},
		{"/etc/passwd", false},
		{"", false},
		{`..\x`, false},
	}
	for _, tt := range tests {
		err := checkSymlinkTarget(tt.target)
		if (err == nil) != tt.ok {
			t.Errorf("checkSymlinkTarget(%q) = %v, want ok=%v", tt.target, err, tt.ok)
		}
	}
}

// TestInstallRefusesHostileArchives installs each hostile archive into a
// fresh lab and checks the error names the problem, that nothing was
// created outside the lab, and that the lab holds no broker and no
// temporary directory afterwards.
func TestInstallRefusesHostileArchives(t *testing.T) {
	want := map[distfixture.Hostile]string{
		distfixture.DotDot:          `".."`,
		distfixture.Absolute:        "absolute path",
		distfixture.SymlinkAbsolute: "symbolic link to the absolute path",
		distfixture.SymlinkOut:      "climbs",
		distfixture.HardlinkOut:     "hard link",
		distfixture.CharDevice:      "character device",
		distfixture.FIFO:            "FIFO",
		distfixture.TopLevelFile:    "top level",
		distfixture.TwoTops:         "outside the top directory",
		distfixture.ZipDotDot:       `".."`,
		distfixture.ZipSymlinkOut:   "climbs",
		distfixture.Truncated:       "corrupt or truncated",
		distfixture.Corrupt:         "corrupt or truncated",
		distfixture.NoJar:           "not an ActiveMQ distribution",
		distfixture.TarXz:           "not supported",
		distfixture.GzipNotTar:      "without a tar archive",
		distfixture.NotArchive:      "is not a .tar.gz, .tgz or .zip archive",
	}
	for _, kind := range distfixture.AllHostile {
		t.Run(string(kind), func(t *testing.T) {
			outside := t.TempDir()
			archive := distfixture.HostileArchive(t, kind, outside)
			lab, err := Create(filepath.Join(t.TempDir(), "lab"), PlanOptions{})
			if err != nil {
				t.Fatal(err)
			}
			err = lab.Install(context.Background(), InstallOptions{Dist: archive, Search: []string{}})
			if err == nil {
				t.Fatalf("%s was installed", kind)
			}
			if !strings.Contains(err.Error(), want[kind]) {
				t.Errorf("error %q does not say %q", err, want[kind])
			}
			if strings.Count(err.Error(), "\n") > 0 {
				t.Errorf("error spans lines: %q", err)
			}
			if _, err := os.Lstat(filepath.Join(outside, distfixture.EscapeName)); err == nil {
				t.Errorf("%s escaped into %s", distfixture.EscapeName, outside)
			}
			if _, err := os.Lstat(filepath.Join("/", distfixture.EscapeName)); err == nil {
				t.Errorf("%s escaped to /", distfixture.EscapeName)
			}
			assertOnlyState(t, lab.Dir())
		})
	}
}

// assertOnlyState fails if dir holds anything but the lab state file.
func assertOnlyState(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != StateFile {
			t.Errorf("left in the lab: %s", e.Name())
		}
	}
}
