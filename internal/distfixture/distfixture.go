// Package distfixture builds ActiveMQ distributions for tests: real
// archives in the upstream layout made from the jars of an installed
// ActiveMQ (such as Debian's /usr/share/activemq) plus a stock conf/, and
// hostile archives that an installer must refuse.
package distfixture

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"embed"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// stockConf is conf/ of the ActiveMQ 5.17.7 release.
//
//go:embed testdata/conf-5.17.7
var stockConf embed.FS

const stockConfDir = "testdata/conf-5.17.7"

// homes are the well-known places of an installed ActiveMQ.
var homes = []string{"/usr/share/activemq", "/opt/activemq"}

// Home returns the ActiveMQ home the live tests use: $ACTIVEMQ_HOME,
// /usr/share/activemq or /opt/activemq. Without one the test fails,
// because live tests must not pass silently; AMQLAB_SKIP_LIVE=1 or -short
// turns that into a skip.
func Home(t testing.TB) string {
	t.Helper()
	if os.Getenv("AMQLAB_SKIP_LIVE") == "1" || testing.Short() {
		t.Skip("live test skipped (AMQLAB_SKIP_LIVE=1 or -short)")
	}
	candidates := homes
	if h := os.Getenv("ACTIVEMQ_HOME"); h != "" {
		candidates = append([]string{h}, homes...)
	}
	for _, h := range candidates {
		if _, err := os.Stat(filepath.Join(h, "bin", "activemq.jar")); err == nil {
			return h
		}
	}
	t.Fatalf("no ActiveMQ found (looked for bin/activemq.jar in $ACTIVEMQ_HOME and %s); install it with 'apt-get install -y --no-install-recommends activemq', set ACTIVEMQ_HOME, or set AMQLAB_SKIP_LIVE=1 to skip live tests",
		strings.Join(homes, ", "))
	return ""
}

// Upstream writes an ActiveMQ home in the upstream layout into a temporary
// directory and returns the path of its top directory
// (…/apache-activemq-X.Y.Z): bin/ and lib/ from home with every link
// resolved (dangling ones left out), the stock conf/ of 5.17.7 and an
// empty data/.
func Upstream(t testing.TB, home string) string {
	t.Helper()
	top := filepath.Join(t.TempDir(), "apache-activemq-"+version(t, home))
	for _, sub := range []string{"bin", "lib"} {
		copyResolved(t, filepath.Join(home, sub), filepath.Join(top, sub))
	}
	conf := filepath.Join(top, "conf")
	mustMkdir(t, conf)
	entries, err := stockConf.ReadDir(stockConfDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := stockConf.ReadFile(path.Join(stockConfDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(conf, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mustMkdir(t, filepath.Join(top, "data"))
	return top
}

// TarGz builds apache-activemq-X.Y.Z-bin.tar.gz from home (see Upstream)
// and returns its path.
func TarGz(t testing.TB, home string) string {
	t.Helper()
	top := Upstream(t, home)
	out := filepath.Join(t.TempDir(), filepath.Base(top)+"-bin.tar.gz")
	f := create(t, out)
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	walkTree(t, top, func(name string, fi fs.FileInfo, src string) {
		hdr, err := tar.FileInfoHeader(fi, "")
		if err != nil {
			t.Fatal(err)
		}
		hdr.Name = name
		if fi.IsDir() {
			hdr.Name += "/"
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if fi.Mode().IsRegular() {
			copyFileTo(t, tw, src)
		}
	})
	closeAll(t, tw, gz, f)
	return out
}

// Zip builds apache-activemq-X.Y.Z-bin.zip from home (see Upstream) and
// returns its path.
func Zip(t testing.TB, home string) string {
	t.Helper()
	top := Upstream(t, home)
	out := filepath.Join(t.TempDir(), filepath.Base(top)+"-bin.zip")
	f := create(t, out)
	zw := zip.NewWriter(f)
	walkTree(t, top, func(name string, fi fs.FileInfo, src string) {
		hdr, err := zip.FileInfoHeader(fi)
		if err != nil {
			t.Fatal(err)
		}
		hdr.Name = name
		hdr.Method = zip.Deflate
		if fi.IsDir() {
			hdr.Name += "/"
			hdr.Method = zip.Store
		}
		w, err := zw.CreateHeader(hdr)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().IsRegular() {
			copyFileTo(t, w, src)
		}
	})
	closeAll(t, zw, f)
	return out
}

// walkTree calls add for the top directory and everything below it, with
// archive names that start with the top directory's name.
func walkTree(t testing.TB, top string, add func(name string, fi fs.FileInfo, src string)) {
	t.Helper()
	parent := filepath.Dir(top)
	err := filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(parent, p)
		if err != nil {
			return err
		}
		add(filepath.ToSlash(rel), fi, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// copyResolved copies the directory src to dst, following links and
// leaving out dangling ones.
func copyResolved(t testing.TB, src, dst string) {
	t.Helper()
	mustMkdir(t, dst)
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		from, to := filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())
		fi, err := os.Stat(from)
		if err != nil {
			continue // a dangling link: its package is not installed
		}
		if fi.IsDir() {
			copyResolved(t, from, to)
			continue
		}
		out := create(t, to)
		copyFileTo(t, out, from)
		closeAll(t, out)
	}
}

var brokerJar = regexp.MustCompile(`^activemq-broker(-(\d[^/]*))?\.jar$`)

// version reads the ActiveMQ version from the broker jar's name or, as
// Debian names jars without versions, from its manifest.
func version(t testing.TB, home string) string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(home, "lib"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		m := brokerJar.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		if m[2] != "" {
			return m[2]
		}
		zr, err := zip.OpenReader(filepath.Join(home, "lib", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		mf, err := zr.Open("META-INF/MANIFEST.MF")
		if err != nil {
			t.Fatal(err)
		}
		defer mf.Close()
		sc := bufio.NewScanner(mf)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "Implementation-Version:"); ok {
				return strings.TrimSpace(v)
			}
		}
	}
	t.Fatalf("no version found for the ActiveMQ in %s", home)
	return ""
}

func mustMkdir(t testing.TB, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

func create(t testing.TB, name string) *os.File {
	t.Helper()
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func copyFileTo(t testing.TB, w io.Writer, src string) {
	t.Helper()
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.Copy(w, f); err != nil {
		t.Fatal(err)
	}
}

func closeAll(t testing.TB, cs ...io.Closer) {
	t.Helper()
	for _, c := range cs {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
