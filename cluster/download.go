package cluster

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// DefaultCacheDir is where downloaded distributions are kept:
// $XDG_CACHE_HOME/amqlab, else ~/.cache/amqlab.
func DefaultCacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory for downloads (%w); set XDG_CACHE_HOME or HOME", err)
	}
	return filepath.Join(base, "amqlab"), nil
}

// checksumSuffix names the file beside a cached archive that holds the
// SHA-512 it was verified against, so a later run can reuse the archive
// without asking the network again.
const checksumSuffix = ".sha512"

// maxChecksumFile bounds what is read from a <url>.sha512 file.
const maxChecksumFile = 64 << 10

// fetcher downloads distributions into a cache and verifies them.
type fetcher struct {
	client *http.Client
	cache  string
	rep    Reporter
}

// fetch returns a verified local copy of rawURL and its SHA-512. want is the
// expected digest; empty means: read it from <rawURL>.sha512. A cached file
// is reused when it still matches; a partial download never appears under
// the final name.
func (f fetcher) fetch(ctx context.Context, rawURL, want string) (file, sum string, err error) {
	if want != "" {
		if want, err = normalizeSHA512(want); err != nil {
			return "", "", fmt.Errorf("--sha512: %w", err)
		}
	}
	file, err = f.cachePath(rawURL)
	if err != nil {
		return "", "", err
	}
	if sum, ok := f.cached(file, want); ok {
		f.rep.Info("using cached " + file)
		return file, sum, nil
	}
	if want == "" {
		done := f.rep.Step("Fetch checksum " + rawURL + checksumSuffix)
		want, err = f.remoteChecksum(ctx, rawURL+checksumSuffix)
		done(err)
		if err != nil {
			return "", "", err
		}
	}
	done := f.rep.Step("Download " + rawURL)
	tmp, got, err := f.download(ctx, rawURL, filepath.Dir(file))
	done(err)
	if err != nil {
		return "", "", err
	}
	defer os.Remove(tmp) // a no-op once renamed into place
	done = f.rep.Step("Verify checksum")
	err = compareSHA512(rawURL, want, got)
	if err == nil {
		err = os.Rename(tmp, file)
	}
	if err == nil {
		err = writeFileAtomic(file+checksumSuffix, []byte(got+"  "+filepath.Base(file)+"\n"), 0o644)
	}
	done(err)
	if err != nil {
		return "", "", err
	}
	return file, got, nil
}

// cachePath gives each URL its own directory in the cache, so two
// archives of the same name from different places never mix.
func (f fetcher) cachePath(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("distribution URL %q: %w", rawURL, err)
	}
	name := path.Base(u.Path)
	if name == "." || name == "/" || name == ".." {
		return "", fmt.Errorf("distribution URL %s does not name a file", rawURL)
	}
	key := sha256.Sum256([]byte(rawURL))
	dir := filepath.Join(f.cache, hex.EncodeToString(key[:8]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("download cache %s: %w; set XDG_CACHE_HOME to a writable directory", f.cache, err)
	}
	return filepath.Join(dir, name), nil
}

// cached reports whether file is a complete, verified earlier download.
// With want given, the file must match it; otherwise it must match the
// digest recorded when it was verified.
func (f fetcher) cached(file, want string) (string, bool) {
	if want == "" {
		data, err := os.ReadFile(file + checksumSuffix)
		if err != nil {
			return "", false
		}
		if want, err = parseChecksumFile(data); err != nil {
			return "", false
		}
	}
	got, err := fileSHA512(file)
	if err != nil || got != want {
		return "", false
	}
	return got, true
}

// remoteChecksum reads a checksum file such as Apache's <archive>.sha512.
func (f fetcher) remoteChecksum(ctx context.Context, rawURL string) (string, error) {
	body, _, err := f.get(ctx, rawURL)
	if err != nil {
		return "", fmt.Errorf("%w; pass the digest with --sha512 instead", err)
	}
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, maxChecksumFile))
	if err != nil {
		return "", fmt.Errorf("read %s: %w", rawURL, err)
	}
	sum, err := parseChecksumFile(data)
	if err != nil {
		return "", fmt.Errorf("%s: %w; pass the digest with --sha512 instead", rawURL, err)
	}
	return sum, nil
}

// download writes rawURL into a temporary file in dir and returns its name
// and SHA-512.
func (f fetcher) download(ctx context.Context, rawURL, dir string) (tmp, sum string, err error) {
	body, size, err := f.get(ctx, rawURL)
	if err != nil {
		return "", "", err
	}
	defer body.Close()
	out, err := os.CreateTemp(dir, ".download-*.part")
	if err != nil {
		return "", "", fmt.Errorf("download cache %s: %w; set XDG_CACHE_HOME to a writable directory", dir, err)
	}
	defer func() {
		if err != nil {
			os.Remove(out.Name())
		}
	}()
	h := sha512.New()
	bar := f.rep.Progress(path.Base(rawURL), size)
	n, err := io.Copy(io.MultiWriter(out, h, bar), body)
	bar.Close()
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && size >= 0 && n != size {
		err = fmt.Errorf("got %d of %d bytes", n, size)
	}
	if err != nil {
		return "", "", fmt.Errorf("download %s: %w; check the network and try again", rawURL, err)
	}
	return out.Name(), hex.EncodeToString(h.Sum(nil)), nil
}

// get starts a GET and insists on 200 OK; size is -1 when unknown.
func (f fetcher) get(ctx context.Context, rawURL string) (io.ReadCloser, int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("GET %s: %w", rawURL, err)
	}
	client := f.client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("GET %s: %w", rawURL, err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, 0, fmt.Errorf("GET %s: %s", rawURL, resp.Status)
	}
	return resp.Body, resp.ContentLength, nil
}

// parseChecksumFile reads the digest out of the usual checksum file
// formats: "<hex>  <name>" (sha512sum), "<name>: <HEX IN GROUPS>" (older
// Apache releases, possibly over several lines) and "SHA512 (<name>) = <hex>".
func parseChecksumFile(data []byte) (string, error) {
	text := strings.TrimSpace(string(data))
	if fields := strings.Fields(text); len(fields) > 0 {
		if sum, err := normalizeSHA512(fields[0]); err == nil {
			return sum, nil
		}
	}
	for _, sep := range []string{"=", ":"} {
		if i := strings.LastIndex(text, sep); i >= 0 {
			if sum, err := normalizeSHA512(text[i+1:]); err == nil {
				return sum, nil
			}
		}
	}
	return "", errors.New("no SHA-512 digest (128 hex digits) found in the checksum file")
}

// normalizeSHA512 accepts a hex digest in any case, with spaces between
// groups, and returns it as 128 lower-case hex digits.
func normalizeSHA512(s string) (string, error) {
	s = strings.ToLower(strings.Join(strings.Fields(s), ""))
	if len(s) != 2*sha512.Size {
		return "", fmt.Errorf("a SHA-512 digest has %d hex digits, got %d", 2*sha512.Size, len(s))
	}
	if _, err := hex.DecodeString(s); err != nil {
		return "", errors.New("a SHA-512 digest has only hex digits")
	}
	return s, nil
}

func compareSHA512(what, want, got string) error {
	if want != got {
		return fmt.Errorf("checksum mismatch for %s: expected SHA-512 %s…, got %s…; the download is damaged or the checksum is wrong: check --sha512 or the source and try again", what, want[:16], got[:16])
	}
	return nil
}

func fileSHA512(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha512.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", name, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// isNotExist is errors.Is(err, fs.ErrNotExist), shorter at call sites.
func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
