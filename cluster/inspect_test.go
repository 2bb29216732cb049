package cluster

import (
	"archive/zip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/amqlab/amqlab/internal/distfixture"
)

func TestInspectLayouts(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		want  Distribution
	}{
		{
			name: "5.18 upstream",
			files: []string{"bin/activemq.jar", "conf/activemq.xml", "lib/activemq-broker-5.18.6.jar",
				"lib/optional/log4j-core-2.20.0.jar", "lib/optional/log4j-api-2.20.0.jar", "lib/activemq-amqp-5.18.6.jar",
				"lib/activemq-stomp-5.18.6.jar", "lib/optional/activemq-mqtt-5.18.6.jar", "webapps/admin/index.jsp"},
			want: Distribution{Version: "5.18.6", Logging: LoggingLog4j2, WebConsole: true, Protocols: []string{"amqp", "mqtt", "stomp"}, MinJava: 11, HasConf: true},
		},
		{
			name:  "5.15 upstream with log4j 1",
			files: []string{"bin/activemq.jar", "conf/activemq.xml", "lib/activemq-broker-5.15.16.jar", "lib/optional/log4j-1.2.17.jar", "lib/activemq-stomp-5.15.16.jar", "lib/web/x.jar"},
			want:  Distribution{Version: "5.15.16", Logging: LoggingLog4j1, WebConsole: true, Protocols: []string{"stomp"}, MinJava: 8, HasConf: true},
		},
		{
			name:  "5.16 with reload4j",
			files: []string{"bin/activemq.jar", "conf/activemq.xml", "lib/activemq-broker-5.16.7.jar", "lib/optional/reload4j-1.2.25.jar"},
			want:  Distribution{Version: "5.16.7", Logging: LoggingLog4j1, MinJava: 8, HasConf: true},
		},
		{
			name:  "6.1 without logging jars falls back on the version",
			files: []string{"bin/activemq.jar", "lib/activemq-broker-6.1.8.jar", "lib/activemq-mqtt-6.1.8.jar"},
			want:  Distribution{Version: "6.1.8", Logging: LoggingLog4j2, Protocols: []string{"mqtt"}, MinJava: 17},
		},
		{
			name:  "similar names are not protocol modules",
			files: []string{"bin/activemq.jar", "lib/activemq-broker-5.17.7.jar", "lib/activemq-stompish.jar", "lib/log4j-core-2.17.jar"},
			want:  Distribution{Version: "5.17.7", Logging: LoggingLog4j2, MinJava: 11},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tt.files {
				writeTestFile(t, filepath.Join(dir, f), "x")
			}
			got, err := Inspect(dir)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("Inspect = %+v\nwant      %+v", *got, tt.want)
			}
		})
	}
}

func TestInspectVersionFromManifest(t *testing.T) {
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, activemqJar), "x")
	jar := filepath.Join(dir, "lib", "activemq-broker.jar")
	writeTestFile(t, jar, "")
	f, err := os.Create(jar)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	w, _ := zw.Create("META-INF/MANIFEST.MF")
	w.Write([]byte("Manifest-Version: 1.0\r\nImplementation-Title: ActiveMQ :: Broker\r\nImplementation-Version: 5.17.2\r\n"))
	zw.Close()
	f.Close()
	// A dangling link, as in Debian's lib/optional, is not a usable jar.
	if err := os.MkdirAll(filepath.Join(dir, "lib", "optional"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/nonexistent/activemq-amqp.jar", filepath.Join(dir, "lib", "optional", "activemq-amqp.jar")); err != nil {
		t.Fatal(err)
	}
	d, err := Inspect(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != "5.17.2" || d.MinJava != 11 || len(d.Protocols) != 0 || d.HasConf {
		t.Errorf("Inspect = %+v", d)
	}
}

func TestInspectRefusesNonDistributions(t *testing.T) {
	noJar := t.TempDir()
	writeTestFile(t, filepath.Join(noJar, "lib", "activemq-broker-5.18.6.jar"), "x")
	noVersion := t.TempDir()
	writeTestFile(t, filepath.Join(noVersion, activemqJar), "x")
	writeTestFile(t, filepath.Join(noVersion, "lib", "activemq-broker.jar"), "not a zip")
	for dir, want := range map[string]string{noJar: "bin/activemq.jar is missing", noVersion: "no lib/activemq-broker*.jar with a version"} {
		if _, err := Inspect(dir); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Inspect(%s) = %v, want an error saying %q", dir, err, want)
		}
	}
}

// TestInspectInstalledHome reads the real installed ActiveMQ.
func TestInspectInstalledHome(t *testing.T) {
	home := distfixture.Home(t)
	d, err := Inspect(home)
	if err != nil {
		t.Fatal(err)
	}
	if !versionAtLeast(d.Version, 5, 14) || d.MinJava < 8 || d.Logging == "" {
		t.Errorf("Inspect(%s) = %+v", home, d)
	}
	t.Logf("%s: %s", home, describeDist(d))
}

func TestVersionAtLeast(t *testing.T) {
	tests := []struct {
		v            string
		major, minor int
		want         bool
	}{
		{"5.17.2", 5, 17, true}, {"5.16.7", 5, 17, false}, {"6.0.0", 5, 17, true},
		{"6.1.8", 6, 0, true}, {"5.18.6", 6, 0, false}, {"junk", 5, 0, false}, {"5", 5, 0, false},
	}
	for _, tt := range tests {
		if got := versionAtLeast(tt.v, tt.major, tt.minor); got != tt.want {
			t.Errorf("versionAtLeast(%q, %d, %d) = %v", tt.v, tt.major, tt.minor, got)
		}
	}
}
