package distfixture

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mholt/archives"
)

// Hostile names a kind of archive an installer must refuse.
type Hostile string

// The hostile archives. Each but the last three has the upstream layout
// (top directory apache-activemq-5.99.0/ with bin/activemq.jar) plus one
// bad entry or defect.
const (
	DotDot          Hostile = "dotdot"           // entry apache-activemq-5.99.0/../../escaped.txt
	Absolute        Hostile = "absolute"         // entry /tmp/…/escaped.txt
	SymlinkAbsolute Hostile = "symlink-absolute" // link to an absolute path outside
	SymlinkOut      Hostile = "symlink-out"      // link ../../.. then a file written through it
	HardlinkOut     Hostile = "hardlink-out"     // hard link to a path outside the archive
	CharDevice      Hostile = "char-device"      // a character device entry
	FIFO            Hostile = "fifo"             // a named pipe entry
	TopLevelFile    Hostile = "top-level-file"   // a file beside the top directory
	TwoTops         Hostile = "two-tops"         // two top directories
	ZipDotDot       Hostile = "zip-dotdot"       // a zip entry with ".."
	ZipSymlinkOut   Hostile = "zip-symlink-out"  // a zip symlink leading outside
	Truncated       Hostile = "truncated"        // a tar.gz cut in half
	Corrupt         Hostile = "corrupt"          // a tar.gz with damaged compressed bytes
	NoJar           Hostile = "no-jar"           // well formed, but no bin/activemq.jar
	TarXz           Hostile = "tar-xz"           // an unsupported format
	GzipNotTar      Hostile = "gzip-not-tar"     // gzip-compressed text, no tar inside
	NotArchive      Hostile = "not-archive"      // plain text
)

// AllHostile lists every hostile kind, for table-driven tests.
var AllHostile = []Hostile{
	DotDot, Absolute, SymlinkAbsolute, SymlinkOut, HardlinkOut, CharDevice, FIFO,
	TopLevelFile, TwoTops, ZipDotDot, ZipSymlinkOut, Truncated, Corrupt, NoJar,
	TarXz, GzipNotTar, NotArchive,
}

// EscapeName is the file name hostile entries try to create outside the
// target; a test looks for it to prove nothing escaped.
const EscapeName = "escaped.txt"

const hostileTop = "apache-activemq-5.99.0/"

// entry is one tar entry of a hand-built archive.
type entry struct {
	hdr  tar.Header
	body []byte
}

func file(name string, body []byte) entry {
	return entry{tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body)), ModTime: time.Now()}, body}
}

func dir(name string) entry {
	return entry{hdr: tar.Header{Name: name, Typeflag: tar.TypeDir, Mode: 0o755, ModTime: time.Now()}}
}

func special(name string, typ byte, link string) entry {
	return entry{hdr: tar.Header{Name: name, Typeflag: typ, Linkname: link, Mode: 0o644, Devmajor: 1, Devminor: 3, ModTime: time.Now()}}
}

// layout is the start of every hostile archive with the upstream layout.
func layout() []entry {
	return []entry{dir(hostileTop), dir(hostileTop + "bin/"), file(hostileTop+"bin/activemq.jar", []byte("not a real jar"))}
}

// HostileArchive writes an archive of the given kind into a temporary
// directory and returns its path. outside is a directory the archive tries
// to reach (tests check that EscapeName never appears there).
func HostileArchive(t testing.TB, kind Hostile, outside string) string {
	t.Helper()
	dirOut := t.TempDir()
	escape := filepath.Join(outside, EscapeName)
	// Enough ".." to reach / from wherever the archive is unpacked, then down to outside.
	up := strings.Repeat("../", 64) + strings.TrimPrefix(filepath.ToSlash(outside), "/")
	name := filepath.Join(dirOut, string(kind)+".tar.gz")
	var data []byte
	switch kind {
	case DotDot:
		data = tarGz(t, append(layout(), file(hostileTop+up+"/"+EscapeName, []byte("x"))))
	case Absolute:
		data = tarGz(t, append(layout(), file(escape, []byte("x"))))
	case SymlinkAbsolute:
		data = tarGz(t, append(layout(), special(hostileTop+"lib", tar.TypeSymlink, outside), file(hostileTop+"lib/"+EscapeName, []byte("x"))))
	case SymlinkOut:
		data = tarGz(t, append(layout(), special(hostileTop+"lib", tar.TypeSymlink, up), file(hostileTop+"lib/"+EscapeName, []byte("x"))))
	case HardlinkOut:
		data = tarGz(t, append(layout(), special(hostileTop+EscapeName, tar.TypeLink, escape)))
	case CharDevice:
		data = tarGz(t, append(layout(), special(hostileTop+"null", tar.TypeChar, "")))
	case FIFO:
		data = tarGz(t, append(layout(), special(hostileTop+"pipe", tar.TypeFifo, "")))
	case TopLevelFile:
		data = tarGz(t, append(layout(), file(EscapeName, []byte("x"))))
	case TwoTops:
		data = tarGz(t, append(layout(), file("other/"+EscapeName, []byte("x"))))
	case ZipDotDot:
		name = filepath.Join(dirOut, string(kind)+".zip")
		data = zipOf(t, map[string]string{hostileTop + "bin/activemq.jar": "jar", hostileTop + up + "/" + EscapeName: "x"}, nil)
	case ZipSymlinkOut:
		name = filepath.Join(dirOut, string(kind)+".zip")
		data = zipOf(t, map[string]string{hostileTop + "bin/activemq.jar": "jar"}, map[string]string{hostileTop + "lib": up})
	case Truncated:
		whole := tarGz(t, append(layout(), file(hostileTop+"lib/noise.bin", noise(256<<10))))
		data = whole[:len(whole)/2]
	case Corrupt:
		data = tarGz(t, append(layout(), file(hostileTop+"lib/noise.bin", noise(256<<10))))
		for i := len(data) / 3; i < len(data)/3+64; i++ {
			data[i] ^= 0x5a
		}
	case NoJar:
		data = tarGz(t, []entry{dir(hostileTop), dir(hostileTop + "lib/"), file(hostileTop+"lib/readme.txt", []byte("no broker here"))})
	case TarXz:
		name = filepath.Join(dirOut, string(kind)+".tar.xz")
		data = compressed(t, archives.Xz{}, tarOf(t, layout()))
	case GzipNotTar:
		data = compressed(t, archives.Gz{}, []byte("just some text, no tar inside\n"))
	case NotArchive:
		name = filepath.Join(dirOut, string(kind)+".tar.gz")
		data = []byte("this is not an archive\n")
	default:
		t.Fatalf("unknown hostile archive kind %q", kind)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

func tarOf(t testing.TB, entries []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		if err := tw.WriteHeader(&e.hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(e.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func tarGz(t testing.TB, entries []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	if _, err := gz.Write(tarOf(t, entries)); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func compressed(t testing.TB, c archives.Compressor, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := c.OpenWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zipOf builds a zip of files (name → content) and symlinks (name → target).
func zipOf(t testing.TB, files, links map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, body string, mode fs.FileMode) {
		hdr := &zip.FileHeader{Name: name, Method: zip.Deflate}
		hdr.SetMode(mode)
		w, err := zw.CreateHeader(hdr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	for name, body := range files {
		add(name, body, 0o644)
	}
	for name, target := range links {
		add(name, target, fs.ModeSymlink|0o777)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// noise is incompressible, so damage to the compressed stream lands in
// real data rather than in a few bytes of back-references.
func noise(n int) []byte {
	r := rand.NewChaCha8([32]byte{1})
	b := make([]byte, n)
	r.Read(b)
	return b
}
