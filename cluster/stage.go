package cluster

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// stage fills one temporary directory beside each target with the same
// tree, writing only through os.Root so that no name, link or race can
// place a file outside those directories. Writing N copies while reading
// the source once is what makes "one full home per broker" cheap.
type stage struct {
	dirs  []string
	roots []*os.Root
	files map[string]bool // regular files written, the only valid hard-link targets
}

// newStage creates a temporary directory beside each target (same
// filesystem, so the final rename is atomic).
func newStage(targets []string) (*stage, error) {
	st := &stage{files: map[string]bool{}}
	for _, t := range targets {
		dir, err := os.MkdirTemp(filepath.Dir(t), "."+filepath.Base(t)+".install-*")
		if err != nil {
			st.discard()
			return nil, fmt.Errorf("create a temporary directory beside %s: %w; check that the lab directory is writable", t, err)
		}
		st.dirs = append(st.dirs, dir)
		root, err := os.OpenRoot(dir)
		if err != nil {
			st.discard()
			return nil, fmt.Errorf("open %s: %w", dir, err)
		}
		st.roots = append(st.roots, root)
	}
	return st, nil
}

// close releases the roots; the directories stay for renaming into place.
func (st *stage) close() {
	for _, r := range st.roots {
		r.Close()
	}
	st.roots = nil
}

// discard removes every temporary directory.
func (st *stage) discard() {
	st.close()
	for _, d := range st.dirs {
		os.RemoveAll(d)
	}
}

// dirPerm and filePerm keep the permission bits of an entry, always
// leaving the owner able to read and write (and enter directories), and
// never carrying set-id or sticky bits.
func dirPerm(m fs.FileMode) fs.FileMode  { return m.Perm() | 0o700 }
func filePerm(m fs.FileMode) fs.FileMode { return m.Perm() | 0o600 }

func (st *stage) mkdir(name string, perm fs.FileMode) error {
	for _, r := range st.roots {
		if err := r.MkdirAll(name, dirPerm(perm)); err != nil {
			return err
		}
	}
	return nil
}

// writeFile writes the contents of src to name in every root. A source
// that can seek (a file being copied) is copied to each root on its own,
// which lets the kernel copy the data; a stream is fanned out in one pass.
func (st *stage) writeFile(name string, perm fs.FileMode, src io.Reader) error {
	if err := st.mkdir(path.Dir(name), 0o755); err != nil {
		return err
	}
	seeker, canSeek := src.(io.Seeker)
	if canSeek && len(st.roots) > 1 {
		for _, r := range st.roots {
			if _, err := seeker.Seek(0, io.SeekStart); err != nil {
				return err
			}
			if err := writeCopies([]*os.Root{r}, name, perm, src); err != nil {
				return err
			}
		}
	} else if err := writeCopies(st.roots, name, perm, src); err != nil {
		return err
	}
	st.files[name] = true
	return nil
}

// writeCopies writes src to name in each root in one pass over src.
func writeCopies(roots []*os.Root, name string, perm fs.FileMode, src io.Reader) (err error) {
	files := make([]io.Writer, 0, len(roots))
	defer func() {
		for _, f := range files {
			if cerr := f.(*os.File).Close(); err == nil {
				err = cerr
			}
		}
	}()
	for _, r := range roots {
		f, err := r.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, filePerm(perm))
		if err != nil {
			return err
		}
		files = append(files, f)
	}
	dst := files[0] // a lone *os.File lets io.Copy use copy_file_range
	if len(files) > 1 {
		dst = io.MultiWriter(files...)
	}
	_, err = io.Copy(dst, src)
	return err
}

// symlink creates name -> target in every root. Callers vet target: a
// root refuses to follow a link out of itself, but other programs would.
func (st *stage) symlink(name, target string) error {
	if err := st.mkdir(path.Dir(name), 0o755); err != nil {
		return err
	}
	for _, r := range st.roots {
		if err := r.Symlink(target, name); err != nil {
			return err
		}
	}
	return nil
}

// hardlink links name to an earlier regular file of the same tree.
func (st *stage) hardlink(name, target string) error {
	if !st.files[target] {
		return fmt.Errorf("hard link target %s is not an earlier regular file of the archive", target)
	}
	if err := st.mkdir(path.Dir(name), 0o755); err != nil {
		return err
	}
	for _, r := range st.roots {
		if err := r.Link(target, name); err != nil {
			return err
		}
	}
	st.files[name] = true
	return nil
}
