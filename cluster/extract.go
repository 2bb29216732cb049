package cluster

import (
	"archive/tar"
	"context"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/mholt/archives"
)

// maxUnpacked bounds what one archive may unpack to. ActiveMQ releases
// unpack to well under 200 MiB; the bound stops a decompression bomb from
// filling the disk.
const maxUnpacked = 2 << 30

// entryError says which archive entry was refused and why.
type entryError struct {
	entry  string
	reason string
}

func (e *entryError) Error() string {
	return fmt.Sprintf("entry %q %s", e.entry, e.reason)
}

// writeError marks a failure to write the unpacked tree, so that it is not
// mistaken for a damaged archive.
type writeError struct{ err error }

func (e writeError) Error() string { return e.err.Error() }
func (e writeError) Unwrap() error { return e.err }

// extractArchive unpacks the archive file into every root of st and
// returns the archive's SHA-512. The archive must have the upstream layout:
// one top directory (apache-activemq-X.Y.Z/), which is stripped.
//
// Only .tar.gz/.tgz, .tar and .zip are read; the format is recognised by
// content, not by name. Refused: names with "..", absolute names, device
// files, FIFOs and sockets, and links that could lead outside the tree.
// Links are accepted only when they point down into their own directory
// (a relative target without ".."), and hard links only to an earlier
// file of the archive; ActiveMQ release archives contain no links at all,
// and this rule keeps a link from escaping without having to resolve it.
func extractArchive(ctx context.Context, file string, st *stage) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", fmt.Errorf("cannot read archive %s: %w; check the path and its permissions", file, err)
	}
	defer f.Close()
	format, _, err := archives.Identify(ctx, "", f)
	if errors.Is(err, archives.NoMatch) {
		return "", fmt.Errorf("%s is not a .tar.gz, .tgz or .zip archive; %s", file, distHelp)
	}
	if err != nil {
		return "", fmt.Errorf("archive %s is corrupt or truncated (%v); download it again", file, err)
	}
	ex, err := supportedExtractor(format)
	if err != nil {
		return "", fmt.Errorf("archive %s: %w; %s", file, err, distHelp)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", fmt.Errorf("read archive %s: %w", file, err)
	}

	x := &extraction{stage: st, budget: maxUnpacked}
	if zipFormat, isZip := ex.(archives.Zip); isZip {
		// archive/zip checks each entry's CRC as it is read.
		err = zipFormat.Extract(ctx, f, x.entry)
		if err == nil {
			err = x.checkNotEmpty()
		}
		if err != nil {
			return "", explainExtractError(ctx, file, err)
		}
		return fileSHA512(file)
	}
	h := sha512.New()
	if err := x.tar(ctx, io.TeeReader(f, h), ex); err != nil {
		return "", explainExtractError(ctx, file, err)
	}
	if _, err := io.Copy(h, f); err != nil { // bytes after the end of the archive
		return "", fmt.Errorf("read archive %s: %w", file, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// tar unpacks a plain or gzip-compressed tar. The gzip stream is read to
// its end so that its checksum is verified even past the tar's last entry.
func (x *extraction) tar(ctx context.Context, in io.Reader, ex archives.Extractor) error {
	if _, compressed := ex.(archives.CompressedArchive); compressed {
		gz, err := archives.Gz{}.OpenReader(in)
		if err != nil {
			return err
		}
		defer gz.Close()
		in = gz
	}
	if err := (archives.Tar{}).Extract(ctx, in, x.entry); err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, in); err != nil {
		return err
	}
	return x.checkNotEmpty()
}

func (x *extraction) checkNotEmpty() error {
	if x.top == "" {
		return errors.New("the archive holds no entries")
	}
	return nil
}

// supportedExtractor accepts gzip-compressed tar, plain tar and zip.
func supportedExtractor(format archives.Format) (archives.Extractor, error) {
	switch f := format.(type) {
	case archives.Zip:
		return f, nil
	case archives.Tar:
		return f, nil
	case archives.CompressedArchive:
		_, tarInside := f.Extraction.(archives.Tar)
		_, gz := f.Compression.(archives.Gz)
		if tarInside && gz {
			return f, nil
		}
		return nil, fmt.Errorf("format %s is not supported", strings.TrimPrefix(f.Extension(), "."))
	case archives.Compression:
		return nil, fmt.Errorf("it is %s-compressed data without a tar archive inside (corrupt, truncated or not an archive)", strings.TrimPrefix(f.Extension(), "."))
	default:
		return nil, fmt.Errorf("format %s is not supported", strings.TrimPrefix(format.Extension(), "."))
	}
}

func explainExtractError(ctx context.Context, file string, err error) error {
	var ee *entryError
	var we writeError
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.As(err, &ee):
		return fmt.Errorf("archive %s refused: %w; nothing was installed", file, ee)
	case errors.As(err, &we):
		return fmt.Errorf("unpack %s: %w", file, we.err)
	default:
		return fmt.Errorf("archive %s is corrupt or truncated (%v); download it again", file, err)
	}
}

// extraction is the state of one pass over an archive.
type extraction struct {
	stage  *stage
	top    string // the single top directory, once seen
	budget int64  // bytes still allowed
}

func (x *extraction) entry(ctx context.Context, fi archives.FileInfo) error {
	raw := fi.NameInArchive
	name, err := cleanEntryName(raw)
	if err != nil {
		return &entryError{entry: raw, reason: err.Error()}
	}
	if name == "." && fi.IsDir() { // "./", as some tar invocations write
		return nil
	}
	rel, err := x.stripTop(name, fi.IsDir())
	if err != nil {
		return &entryError{entry: raw, reason: err.Error()}
	}
	if rel == "" { // the top directory itself
		return nil
	}
	mode := fi.Mode()
	switch {
	case isHardLink(fi):
		target, err := x.linkedEntry(fi.LinkTarget)
		if err != nil {
			return &entryError{entry: raw, reason: err.Error()}
		}
		return x.write(x.stage.hardlink(rel, target))
	case mode&fs.ModeSymlink != 0:
		if err := checkSymlinkTarget(fi.LinkTarget); err != nil {
			return &entryError{entry: raw, reason: err.Error()}
		}
		return x.write(x.stage.symlink(rel, fi.LinkTarget))
	case mode.IsDir():
		return x.write(x.stage.mkdir(rel, mode))
	case mode.IsRegular():
		return x.file(raw, rel, fi)
	default:
		return &entryError{entry: raw, reason: fmt.Sprintf("is a special file (%s); only files, directories and links are unpacked", fileKind(mode))}
	}
}

func (x *extraction) file(raw, rel string, fi archives.FileInfo) error {
	if fi.Size() > x.budget {
		return &entryError{entry: raw, reason: fmt.Sprintf("would unpack beyond %d MiB; this is not an ActiveMQ release", maxUnpacked>>20)}
	}
	r, err := fi.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	counted := &countingReader{r: io.LimitReader(r, x.budget+1)}
	if err := x.stage.writeFile(rel, fi.Mode(), counted); err != nil {
		var read readError
		if errors.As(err, &read) {
			return read.err // a damaged archive, reported as such
		}
		return writeError{err}
	}
	x.budget -= counted.n
	if x.budget < 0 {
		return &entryError{entry: raw, reason: fmt.Sprintf("would unpack beyond %d MiB; this is not an ActiveMQ release", maxUnpacked>>20)}
	}
	return nil
}

// write classifies a stage error as a write failure.
func (x *extraction) write(err error) error {
	if err != nil {
		return writeError{err}
	}
	return nil
}

// stripTop removes the single top directory of the upstream layout and
// insists that every entry lives under it.
func (x *extraction) stripTop(name string, isDir bool) (string, error) {
	top, rel, _ := strings.Cut(name, "/")
	if rel == "" && !isDir {
		return "", errors.New("lies at the top level; an ActiveMQ archive has one top directory such as apache-activemq-5.18.6/")
	}
	if x.top == "" {
		x.top = top
	}
	if top != x.top {
		return "", fmt.Errorf("lies outside the top directory %s/; an ActiveMQ archive has exactly one", x.top)
	}
	return rel, nil
}

// linkedEntry resolves a tar hard link's target, an archive path.
func (x *extraction) linkedEntry(target string) (string, error) {
	name, err := cleanEntryName(target)
	if err != nil {
		return "", fmt.Errorf("is a hard link to %q, which %s", target, err)
	}
	top, rel, _ := strings.Cut(name, "/")
	if top != x.top || rel == "" {
		return "", fmt.Errorf("is a hard link to %q outside the top directory %s/", target, x.top)
	}
	if !x.stage.files[rel] {
		return "", fmt.Errorf("is a hard link to %q, which is not an earlier file of the archive", target)
	}
	return rel, nil
}

// cleanEntryName vets an archive entry name and returns it cleaned. Names
// must be relative, without ".." and without backslashes (which other
// tools may treat as separators).
func cleanEntryName(name string) (string, error) {
	switch {
	case name == "":
		return "", errors.New("has an empty name")
	case strings.ContainsRune(name, 0):
		return "", errors.New("has a NUL byte in its name")
	case strings.Contains(name, `\`):
		return "", errors.New("has a backslash in its name")
	case strings.HasPrefix(name, "/"):
		return "", errors.New("has an absolute path")
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", errors.New(`has a ".." component and would leave the target directory`)
		}
	}
	return path.Clean(name), nil
}

// checkSymlinkTarget accepts only links that point down into the link's
// own directory.
func checkSymlinkTarget(target string) error {
	switch {
	case target == "":
		return errors.New("is a symbolic link without a target")
	case strings.HasPrefix(target, "/"):
		return fmt.Errorf("is a symbolic link to the absolute path %q, outside the target", target)
	case strings.Contains(target, `\`) || strings.ContainsRune(target, 0):
		return fmt.Errorf("is a symbolic link to %q, which has a backslash or NUL byte", target)
	}
	for _, part := range strings.Split(target, "/") {
		if part == ".." {
			return fmt.Errorf("is a symbolic link to %q, which climbs with \"..\" and may leave the target; only links into their own directory are accepted", target)
		}
	}
	return nil
}

func isHardLink(fi archives.FileInfo) bool {
	h, ok := fi.Header.(*tar.Header)
	return ok && h.Typeflag == tar.TypeLink
}

func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "block device"
	case m&fs.ModeNamedPipe != 0:
		return "FIFO"
	case m&fs.ModeSocket != 0:
		return "socket"
	default:
		return "type " + m.Type().String()
	}
}

// countingReader counts what was read and marks read failures, which mean
// a damaged archive rather than a failed write.
type countingReader struct {
	r io.Reader
	n int64
}

type readError struct{ err error }

func (e readError) Error() string { return e.err.Error() }
func (e readError) Unwrap() error { return e.err }

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF {
		err = readError{err}
	}
	return n, err
}
