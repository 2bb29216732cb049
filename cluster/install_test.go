package cluster

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/amqlab/amqlab/internal/distfixture"
	"github.com/amqlab/amqlab/templates"
)

// recorder is a Reporter that keeps what it was told.
type recorder struct {
	mu       sync.Mutex
	steps    []string
	failed   []string
	warnings []string
	progress int64
}

func (r *recorder) Step(name string) func(error) {
	r.mu.Lock()
	r.steps = append(r.steps, name)
	r.mu.Unlock()
	return func(err error) {
		if err != nil {
			r.mu.Lock()
			r.failed = append(r.failed, name)
			r.mu.Unlock()
		}
	}
}

func (r *recorder) Warn(msg string) { r.mu.Lock(); r.warnings = append(r.warnings, msg); r.mu.Unlock() }
func (r *recorder) Info(string)     {}
func (r *recorder) Progress(string, int64) io.WriteCloser {
	return progressCounter{r}
}

type progressCounter struct{ r *recorder }

func (p progressCounter) Write(b []byte) (int, error) {
	p.r.mu.Lock()
	p.r.progress += int64(len(b))
	p.r.mu.Unlock()
	return len(b), nil
}
func (p progressCounter) Close() error { return nil }

func (r *recorder) hasStep(prefix string) bool {
	for _, s := range r.steps {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

func newTestLab(t *testing.T) *Lab {
	t.Helper()
	lab, err := Create(filepath.Join(t.TempDir(), "lab"), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return lab
}

// install runs Install with no machine defaults.
func install(t *testing.T, lab *Lab, o InstallOptions) error {
	t.Helper()
	if o.Search == nil {
		o.Search = []string{}
	}
	if o.CacheDir == "" {
		o.CacheDir = filepath.Join(t.TempDir(), "cache")
	}
	return lab.Install(context.Background(), o)
}

// assertInstalled checks that every broker has a full home of its own:
// regular files (no links back into the source), conf/ with an
// activemq.xml and an empty data/, and that no temporary directory is left.
func assertInstalled(t *testing.T, lab *Lab, wantConf []byte) {
	t.Helper()
	var inodes []uint64
	for _, b := range lab.Plan().Brokers {
		jar := filepath.Join(b.Home, activemqJar)
		fi, err := os.Lstat(jar)
		if err != nil || !fi.Mode().IsRegular() || fi.Size() < 1000 {
			t.Fatalf("%s: %v, %v: want the real jar as a regular file", jar, fi, err)
		}
		inodes = append(inodes, fi.Sys().(*syscall.Stat_t).Ino)
		conf, err := os.ReadFile(filepath.Join(b.ConfDir(), "activemq.xml"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(conf, wantConf) {
			t.Errorf("%s: conf/activemq.xml is not the expected stock file", b.Name)
		}
		if fi, err := os.Stat(b.DataDir()); err != nil || !fi.IsDir() {
			t.Errorf("%s: no data directory: %v", b.Name, err)
		}
		filepath.WalkDir(b.Home, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.Type()&os.ModeSymlink != 0 {
				t.Errorf("%s is a link; a broker home must stand on its own", p)
			}
			return nil
		})
	}
	if inodes[0] == inodes[1] {
		t.Error("the brokers share one activemq.jar; each must have its own copy")
	}
	entries, _ := os.ReadDir(lab.Dir())
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary directory left in the lab: %s", e.Name())
		}
	}
}

func stockConf(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile("../internal/distfixture/testdata/conf-5.17.7/activemq.xml")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestInstallFromArchives(t *testing.T) {
	home := distfixture.Home(t)
	want, err := Inspect(home)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		build func(testing.TB, string) string
	}{
		{"tar.gz", distfixture.TarGz},
		{"zip", distfixture.Zip},
	} {
		t.Run(tc.name, func(t *testing.T) {
			archive := tc.build(t, home)
			lab := newTestLab(t)
			rep := &recorder{}
			if err := install(t, lab, InstallOptions{Dist: archive, Reporter: rep}); err != nil {
				t.Fatal(err)
			}
			assertInstalled(t, lab, stockConf(t))
			d := lab.Dist()
			sum, _ := fileSHA512(archive)
			if d.Kind != KindArchive || d.Path != archive || d.SHA512 != sum || d.Version != want.Version || !d.HasConf {
				t.Errorf("recorded %+v", d)
			}
			for _, step := range []string{"Resolve distribution", "Unpack ", "Install amq61616", "Install amq61617"} {
				if !rep.hasStep(step) {
					t.Errorf("no step %q in %q", step, rep.steps)
				}
			}
			reopened, err := Open(lab.Dir())
			if err != nil || reopened.Dist() == nil || reopened.Dist().Version != want.Version {
				t.Errorf("state on disk: %v, %+v", err, reopened)
			}
		})
	}
}

func TestInstallFromDirectory(t *testing.T) {
	home := distfixture.Home(t)
	lab := newTestLab(t)
	rep := &recorder{}
	if err := install(t, lab, InstallOptions{Search: []string{t.TempDir(), home}, Reporter: rep}); err != nil {
		t.Fatal(err)
	}
	d := lab.Dist()
	if d.Kind != KindDirectory || d.Path != home || d.SHA512 != "" {
		t.Errorf("recorded %+v", d)
	}
	wantConf := templates.ActiveMQXML()
	if d.HasConf {
		wantConf, _ = os.ReadFile(filepath.Join(home, "conf", "activemq.xml"))
	}
	assertInstalled(t, lab, wantConf)
	if d.Logging == LoggingLog4j1 && !d.HasConf {
		for _, b := range lab.Plan().Brokers {
			if _, err := os.Stat(filepath.Join(b.ConfDir(), "log4j.properties")); err != nil {
				t.Errorf("%s: no log4j.properties for a log4j 1 broker: %v", b.Name, err)
			}
		}
	}
	// Every dangling link of the source is reported, once.
	dangling := 0
	filepath.WalkDir(home, func(p string, e os.DirEntry, err error) error {
		if _, serr := os.Stat(p); err == nil && serr != nil {
			dangling++
		}
		return nil
	})
	if len(rep.warnings) != dangling {
		t.Errorf("%d warnings for %d dangling links: %q", len(rep.warnings), dangling, rep.warnings)
	}
}

func TestInstallFromURL(t *testing.T) {
	home := distfixture.Home(t)
	archive := distfixture.TarGz(t, home)
	body, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha512.Sum512(body)
	rightSum := hex.EncodeToString(sum[:])
	name := filepath.Base(archive)
	var served string // the digest the .sha512 file announces
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/dist/" + name:
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.Write(body)
		case "/dist/" + name + ".sha512":
			io.WriteString(w, served+"  "+name+"\n")
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	url := srv.URL + "/dist/" + name

	t.Run("wrong checksum", func(t *testing.T) {
		served = strings.Repeat("0", 128)
		lab := newTestLab(t)
		cache := t.TempDir()
		err := install(t, lab, InstallOptions{Dist: url, CacheDir: cache})
		if err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
			t.Fatalf("error = %v, want a checksum mismatch", err)
		}
		assertOnlyState(t, lab.Dir())
		assertNoFiles(t, cache)
	})
	t.Run("right checksum", func(t *testing.T) {
		served = rightSum
		lab := newTestLab(t)
		rep := &recorder{}
		cache := t.TempDir()
		if err := install(t, lab, InstallOptions{Dist: url, CacheDir: cache, Reporter: rep}); err != nil {
			t.Fatal(err)
		}
		assertInstalled(t, lab, stockConf(t))
		d := lab.Dist()
		if d.Kind != KindURL || d.Source != url || d.SHA512 != rightSum || !strings.HasPrefix(d.Path, cache) {
			t.Errorf("recorded %+v", d)
		}
		if rep.progress != int64(len(body)) {
			t.Errorf("progress saw %d bytes, want %d", rep.progress, len(body))
		}
		if !rep.hasStep("Download ") || !rep.hasStep("Verify checksum") {
			t.Errorf("steps %q", rep.steps)
		}
	})
	t.Run("explicit sha512", func(t *testing.T) {
		served = "garbage"
		lab := newTestLab(t)
		if err := install(t, lab, InstallOptions{Dist: url, SHA512: strings.ToUpper(rightSum)}); err != nil {
			t.Fatal(err)
		}
		if err := install(t, newTestLab(t), InstallOptions{Dist: url, SHA512: strings.Repeat("1", 128)}); err == nil {
			t.Fatal("a wrong --sha512 was accepted")
		}
	})
}

// TestInstallIsIdempotentAndForceKeepsData covers re-runs: an installed
// broker is left alone; --force replaces the install but keeps data/ and
// backs up an edited conf/; --wipe empties data/ and the store.
func TestInstallIsIdempotentAndForceKeepsData(t *testing.T) {
	home := distfixture.Home(t)
	archive := distfixture.TarGz(t, home)
	lab := newTestLab(t)
	if err := install(t, lab, InstallOptions{Dist: archive}); err != nil {
		t.Fatal(err)
	}
	b := lab.Plan().Brokers[0]
	confFile := filepath.Join(b.ConfDir(), "activemq.xml")
	dataFile := filepath.Join(b.DataDir(), "kept.txt")
	storeFile := filepath.Join(lab.Plan().Store, "db.data")
	writeTestFile(t, confFile, "<edited/>")
	writeTestFile(t, dataFile, "data")
	writeTestFile(t, storeFile, "store")

	// Again, without --dist: the recorded distribution, nothing touched.
	if err := install(t, lab, InstallOptions{}); err != nil {
		t.Fatal(err)
	}
	assertContent(t, confFile, "<edited/>")

	// Another distribution without --force is refused.
	err := install(t, lab, InstallOptions{Dist: home})
	if err == nil || !strings.Contains(err.Error(), "--force") || !strings.Contains(err.Error(), archive) || !strings.Contains(err.Error(), home) {
		t.Fatalf("error = %v, want one naming both distributions and --force", err)
	}
	if err := install(t, lab, InstallOptions{Wipe: true}); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("--wipe without --force: %v", err)
	}

	if err := install(t, lab, InstallOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	assertInstalled(t, lab, stockConf(t))
	assertContent(t, dataFile, "data")
	assertContent(t, storeFile, "store")
	backups, _ := filepath.Glob(filepath.Join(b.Home, "conf.bak-*"))
	if len(backups) != 1 {
		t.Fatalf("backups %v, want one", backups)
	}
	assertContent(t, filepath.Join(backups[0], "activemq.xml"), "<edited/>")

	// An unedited conf needs no backup; the earlier backup survives.
	if err := install(t, lab, InstallOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	if again, _ := filepath.Glob(filepath.Join(b.Home, "conf.bak-*")); len(again) != 1 || again[0] != backups[0] {
		t.Errorf("backups after a second --force: %v, want %v", again, backups)
	}

	if err := install(t, lab, InstallOptions{Force: true, Wipe: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dataFile); err == nil {
		t.Error("--wipe kept data/")
	}
	if _, err := os.Stat(storeFile); err == nil {
		t.Error("--wipe kept the store")
	}
	assertInstalled(t, lab, stockConf(t))
}

func TestInstallWithoutDistribution(t *testing.T) {
	lab := newTestLab(t)
	err := install(t, lab, InstallOptions{Search: []string{t.TempDir()}})
	if err == nil || !strings.Contains(err.Error(), "AMQLAB_DIST") || !strings.Contains(err.Error(), "--dist") {
		t.Fatalf("error = %v, want one listing the options", err)
	}
	assertOnlyState(t, lab.Dir())
}

func TestInstallUnwritableLabOrSource(t *testing.T) {
	home := distfixture.Home(t)
	tests := []struct {
		name     string
		rootless bool // root ignores permission bits
		breakLab func(t *testing.T, lab *Lab) (dist string)
		want     string
	}{
		{"lab directory read-only", true, func(t *testing.T, lab *Lab) string {
			chmod(t, lab.Dir(), 0o555)
			return home
		}, "writable"},
		{"lab directory replaced by a file", false, func(t *testing.T, lab *Lab) string {
			if err := os.Rename(lab.Dir(), lab.Dir()+".moved"); err != nil {
				t.Fatal(err)
			}
			writeTestFile(t, lab.Dir(), "not a directory")
			return home
		}, "writable"},
		{"unreadable archive", true, func(t *testing.T, lab *Lab) string {
			archive := filepath.Join(t.TempDir(), "a.tar.gz")
			writeTestFile(t, archive, "x")
			chmod(t, archive, 0)
			return archive
		}, "cannot read"},
		{"unreadable directory in the source", true, func(t *testing.T, lab *Lab) string {
			src := t.TempDir()
			writeTestFile(t, filepath.Join(src, activemqJar), "x")
			writeTestFile(t, filepath.Join(src, "lib", "activemq-broker-5.18.6.jar"), "x")
			writeTestFile(t, filepath.Join(src, "secret", "x"), "x")
			chmod(t, filepath.Join(src, "secret"), 0)
			return src
		}, "cannot read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.rootless && os.Geteuid() == 0 {
				t.Skip("root reads and writes regardless of permissions")
			}
			lab := newTestLab(t)
			dist := tt.breakLab(t, lab)
			err := install(t, lab, InstallOptions{Dist: dist})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one saying %q", err, tt.want)
			}
			for _, b := range lab.Plan().Brokers {
				if _, err := os.Lstat(b.Home); err == nil {
					t.Errorf("%s exists after a failed install", b.Home)
				}
			}
		})
	}
}

func chmod(t *testing.T, name string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(name, mode); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(name, 0o755) })
}

func assertContent(t *testing.T, name, want string) {
	t.Helper()
	got, err := os.ReadFile(name)
	if err != nil || string(got) != want {
		t.Errorf("%s = %q, %v; want %q", name, got, err, want)
	}
}

// TestInstallRecordsDistributionAfterInterruptedRun: brokers in place but
// no distribution recorded (the run stopped before its last step); a
// re-run records it instead of leaving the lab unusable.
func TestInstallRecordsDistributionAfterInterruptedRun(t *testing.T) {
	home := distfixture.Home(t)
	lab := newTestLab(t)
	if err := install(t, lab, InstallOptions{Dist: home}); err != nil {
		t.Fatal(err)
	}
	want := *lab.Dist()
	lab.state.Dist = nil
	if err := lab.save(); err != nil {
		t.Fatal(err)
	}
	reopened, err := Open(lab.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if err := install(t, reopened, InstallOptions{Dist: home}); err != nil {
		t.Fatal(err)
	}
	got := reopened.Dist()
	if got == nil || got.Version != want.Version || got.Path != want.Path || got.Kind != want.Kind || got.HasConf != want.HasConf {
		t.Errorf("recorded %+v, want %+v", got, want)
	}
}
