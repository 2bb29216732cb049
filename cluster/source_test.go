package cluster

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestResolveSource(t *testing.T) {
	dir := t.TempDir()
	archive := filepath.Join(dir, "apache-activemq-5.18.6-bin.tar.gz")
	writeTestFile(t, archive, "x")
	home := filepath.Join(dir, "home")
	writeTestFile(t, filepath.Join(home, activemqJar), "x")
	localVersion := filepath.Join(dir, "6.1.8") // a file that looks like a version
	writeTestFile(t, localVersion, "x")

	tests := []struct {
		spec     string
		kind     string
		identity string
		wantErr  string
	}{
		{spec: archive, kind: KindArchive, identity: archive},
		{spec: home, kind: KindDirectory, identity: home},
		{spec: "https://example.org/a/apache-activemq-5.18.6-bin.tar.gz", kind: KindURL, identity: "https://example.org/a/apache-activemq-5.18.6-bin.tar.gz"},
		{spec: "http://127.0.0.1:8080/x.zip", kind: KindURL, identity: "http://127.0.0.1:8080/x.zip"},
		{spec: "5.18.6", kind: KindURL, identity: "https://archive.apache.org/dist/activemq/5.18.6/apache-activemq-5.18.6-bin.tar.gz"},
		{spec: localVersion, kind: KindArchive, identity: localVersion},
		{spec: "ftp://example.org/x.tar.gz", wantErr: "scheme \"ftp\" is not supported"},
		{spec: "https://example.org/", wantErr: "does not name an archive file"},
		{spec: filepath.Join(dir, "missing.tar.gz"), wantErr: "does not exist"},
		{spec: "5.18", wantErr: "does not exist"},
		{spec: "/dev/null", wantErr: "neither a regular file nor a directory"},
		{spec: "", wantErr: "no distribution given"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			src, err := resolveSource(tt.spec)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("resolveSource(%q) error = %v, want one containing %q", tt.spec, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if src.kind != tt.kind || src.identity() != tt.identity {
				t.Errorf("resolveSource(%q) = %s %s, want %s %s", tt.spec, src.kind, src.identity(), tt.kind, tt.identity)
			}
		})
	}
}

func TestResolveSourceRelativePathBecomesAbsolute(t *testing.T) {
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, "a.zip"), "x")
	t.Chdir(dir)
	src, err := resolveSource("a.zip")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "a.zip"); src.path != want || src.spec != want {
		t.Errorf("path %q spec %q, want both %q", src.path, src.spec, want)
	}
}

func TestFindInstalled(t *testing.T) {
	empty := t.TempDir()
	first := t.TempDir()
	second := t.TempDir()
	writeTestFile(t, filepath.Join(first, activemqJar), "x")
	writeTestFile(t, filepath.Join(second, activemqJar), "x")

	tests := []struct {
		name   string
		search []string
		want   string
	}{
		{"first with a jar wins", []string{"", empty, first, second}, first},
		{"later entry", []string{empty, second}, second},
		{"none", []string{empty, filepath.Join(empty, "nope")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := findInstalled(tt.search)
			if tt.want == "" {
				if err == nil || !strings.Contains(err.Error(), empty) || !strings.Contains(err.Error(), "AMQLAB_DIST") {
					t.Fatalf("error %v should list where it looked and the options", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("findInstalled = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestDefaultSearchHonoursActiveMQHome(t *testing.T) {
	t.Setenv("ACTIVEMQ_HOME", "/somewhere/activemq")
	got := DefaultSearch()
	want := []string{"/somewhere/activemq", "/usr/share/activemq", "/opt/activemq"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("DefaultSearch() = %v, want %v", got, want)
	}
	t.Setenv("ACTIVEMQ_HOME", "")
	if got := DefaultSearch(); len(got) != 2 {
		t.Errorf("without ACTIVEMQ_HOME: %v", got)
	}
}

func TestRecordedSourceMatchesResolved(t *testing.T) {
	for _, spec := range []string{"5.18.6", "https://example.org/x/apache-activemq-6.1.8-bin.tar.gz"} {
		src, err := resolveSource(spec)
		if err != nil {
			t.Fatal(err)
		}
		d := &Distribution{Source: src.spec, Kind: src.kind, Path: "/cache/file"}
		if got := recordedSource(d).identity(); got != src.identity() {
			t.Errorf("%s: recorded identity %q, resolved %q", spec, got, src.identity())
		}
	}
}

func writeTestFile(t testing.TB, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
