package cluster

import (
	"context"
	"crypto/sha512"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseChecksumFile(t *testing.T) {
	sum := sha512.Sum512([]byte("x"))
	hexSum := hex.EncodeToString(sum[:])
	upper := strings.ToUpper(hexSum)
	var grouped []string // gpg --print-md style: groups of 8, over two lines
	for i := 0; i < len(upper); i += 8 {
		grouped = append(grouped, upper[i:i+8])
	}
	tests := []struct {
		name, file string
		ok         bool
	}{
		{"sha512sum", hexSum + "  apache-activemq-5.18.6-bin.tar.gz\n", true},
		{"bare digest", hexSum, true},
		{"upper case", upper + " *x.tar.gz", true},
		{"gpg print-md", "apache-activemq-5.15.0-bin.tar.gz: " + strings.Join(grouped[:8], " ") + "\n    " + strings.Join(grouped[8:], " ") + "\n", true},
		{"bsd", "SHA512 (x.tar.gz) = " + hexSum + "\n", true},
		{"sha256 instead", strings.Repeat("ab", 32) + "  x.tar.gz", false},
		{"html error page", "<html><body>Not Found</body></html>", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseChecksumFile([]byte(tt.file))
			if !tt.ok {
				if err == nil {
					t.Fatalf("parsed %q as %s, want an error", tt.file, got)
				}
				return
			}
			if err != nil || got != hexSum {
				t.Fatalf("got %q, %v; want %s", got, err, hexSum)
			}
		})
	}
}

// archiveServer serves body at /dist/<name> and its checksum file at
// /dist/<name>.sha512 (sum, or the real digest when sum is empty), and
// counts the requests for the archive.
func archiveServer(t *testing.T, name string, body []byte, sum string) (url string, archiveHits *atomic.Int32) {
	t.Helper()
	if sum == "" {
		s := sha512.Sum512(body)
		sum = hex.EncodeToString(s[:])
	}
	hits := &atomic.Int32{}
	mux := http.NewServeMux()
	mux.HandleFunc("/dist/"+name, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.ServeContent(w, r, name, time.Time{}, strings.NewReader(string(body)))
	})
	mux.HandleFunc("/dist/"+name+".sha512", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, sum+"  "+name+"\n")
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + "/dist/" + name, hits
}

func TestFetchVerifiesAndReusesCache(t *testing.T) {
	body := []byte(strings.Repeat("activemq ", 10000))
	url, hits := archiveServer(t, "a.tar.gz", body, "")
	f := fetcher{cache: t.TempDir(), rep: Quiet{}}
	ctx := context.Background()

	file, sum, err := f.fetch(ctx, url, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(file); string(got) != string(body) {
		t.Fatal("cached file differs from what was served")
	}
	if want := sha512.Sum512(body); sum != hex.EncodeToString(want[:]) {
		t.Errorf("sum %s is not the body's SHA-512", sum)
	}
	again, _, err := f.fetch(ctx, url, "")
	if err != nil || again != file {
		t.Fatalf("second fetch = %q, %v; want the cached %q", again, err, file)
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("archive downloaded %d times, want 1 (reuse of the verified cache)", n)
	}

	// A damaged cache entry is noticed and replaced.
	if err := os.WriteFile(file, []byte("damaged"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.fetch(ctx, url, ""); err != nil {
		t.Fatal(err)
	}
	if n := hits.Load(); n != 2 {
		t.Errorf("archive downloaded %d times after damage, want 2", n)
	}
}

func TestFetchChecksumMismatchLeavesNothing(t *testing.T) {
	wrong := strings.Repeat("0", 128)
	url, _ := archiveServer(t, "a.tar.gz", []byte("payload"), wrong)
	cache := t.TempDir()
	f := fetcher{cache: cache, rep: Quiet{}}

	_, _, err := f.fetch(context.Background(), url, "")
	if err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Fatalf("error = %v, want a checksum mismatch", err)
	}
	_, _, err = f.fetch(context.Background(), url, strings.Repeat("AB", 64))
	if err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Fatalf("with --sha512: error = %v, want a checksum mismatch", err)
	}
	assertNoFiles(t, cache)
}

func TestFetchErrors(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	f := fetcher{cache: t.TempDir(), rep: Quiet{}}

	_, _, err := f.fetch(context.Background(), srv.URL+"/a.tar.gz", "")
	if err == nil || !strings.Contains(err.Error(), "404") || !strings.Contains(err.Error(), "--sha512") {
		t.Errorf("missing checksum file: %v", err)
	}
	_, _, err = f.fetch(context.Background(), srv.URL+"/a.tar.gz", strings.Repeat("ab", 64))
	if err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("missing archive: %v", err)
	}
	_, _, err = f.fetch(context.Background(), srv.URL+"/a.tar.gz", "abc")
	if err == nil || !strings.Contains(err.Error(), "--sha512") {
		t.Errorf("short digest: %v", err)
	}
	assertNoFiles(t, f.cache)
}

// TestFetchTruncatedDownload: the server promises more than it sends.
func TestFetchTruncatedDownload(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		io.WriteString(w, "short")
	}))
	t.Cleanup(srv.Close)
	f := fetcher{cache: t.TempDir(), rep: Quiet{}}
	_, _, err := f.fetch(context.Background(), srv.URL+"/a.tar.gz", strings.Repeat("ab", 64))
	if err == nil {
		t.Fatal("a truncated download was accepted")
	}
	assertNoFiles(t, f.cache)
}

// assertNoFiles fails if any regular file is left under dir.
func assertNoFiles(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			t.Errorf("left behind: %s", p)
		}
		return nil
	})
}
