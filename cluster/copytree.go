package cluster

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// skippedTopDirs are run-time directories of an installed ActiveMQ home:
// a lab broker starts with its own, empty ones.
var skippedTopDirs = map[string]bool{"data": true, "tmp": true}

// copyTree copies the ActiveMQ home dir into every stage directory. Links
// are followed and their targets' contents copied (Debian's home is made
// of links into /usr/share/java), so each broker home stands on its own.
// A dangling link, as Debian leaves for recommended packages that are not
// installed, is skipped with a warning.
func copyTree(ctx context.Context, dir string, st *stage, rep Reporter) error {
	c := treeCopier{ctx: ctx, st: st, rep: rep, visiting: map[string]bool{}}
	return c.dir(dir, ".")
}

type treeCopier struct {
	ctx      context.Context
	st       *stage
	rep      Reporter
	visiting map[string]bool // real paths of the directories being copied, against link cycles
}

// dir copies the directory src to rel (slash-separated, "." for the top).
func (c treeCopier) dir(src, rel string) error {
	real, err := filepath.EvalSymlinks(src)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", src, err)
	}
	if c.visiting[real] {
		c.rep.Warn(fmt.Sprintf("skipped %s: a link loop leads back to %s", src, real))
		return nil
	}
	c.visiting[real] = true
	defer delete(c.visiting, real)
	entries, err := os.ReadDir(src)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w; check its permissions", src, err)
	}
	for _, e := range entries {
		if err := c.ctx.Err(); err != nil {
			return err
		}
		if rel == "." && e.IsDir() && skippedTopDirs[e.Name()] {
			continue
		}
		if err := c.entry(filepath.Join(src, e.Name()), path.Join(rel, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

func (c treeCopier) entry(src, rel string) error {
	fi, err := os.Stat(src) // follows links
	if err != nil {
		if target, lerr := os.Readlink(src); lerr == nil && isNotExist(err) {
			c.rep.Warn(fmt.Sprintf("skipped %s: dangling link to %s (its package is not installed)", rel, target))
			return nil
		}
		return fmt.Errorf("cannot read %s: %w", src, err)
	}
	switch {
	case fi.IsDir():
		if err := c.st.mkdir(rel, fi.Mode()); err != nil {
			return fmt.Errorf("copy %s: %w", src, err)
		}
		return c.dir(src, rel)
	case fi.Mode().IsRegular():
		return c.file(src, rel, fi.Mode())
	default:
		c.rep.Warn(fmt.Sprintf("skipped %s: a %s is not part of an ActiveMQ home", rel, fileKind(fi.Mode())))
		return nil
	}
}

func (c treeCopier) file(src, rel string, mode fs.FileMode) error {
	f, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w; check its permissions", src, err)
	}
	defer f.Close()
	if err := c.st.writeFile(rel, mode, f); err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return nil
}
