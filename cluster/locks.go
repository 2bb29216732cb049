package cluster

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// KahaDB's shared-file locker takes a POSIX record lock on <store>/lock; the
// kernel lists every such lock in /proc/locks with the holder's pid and the
// file's device and inode. That is the one authoritative answer to "who is
// master", and reading it never disturbs the lock.

// lockEntry is one granted lock of /proc/locks.
type lockEntry struct {
	Kind  string // POSIX, FLOCK, OFDLCK, …
	Write bool
	Pid   int
	Major uint64
	Minor uint64
	Inode uint64
}

// parseLocks reads /proc/locks. Lines of waiters ("->") are skipped: they
// hold nothing. Lines look like
// "1: POSIX  ADVISORY  WRITE 6052 fe:00:9978559 0 0".
func parseLocks(r io.Reader) ([]lockEntry, error) {
	var out []lockEntry
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || fields[1] == "->" {
			continue
		}
		pid, err := strconv.Atoi(fields[4])
		if err != nil {
			continue
		}
		dev := strings.Split(fields[5], ":")
		if len(dev) != 3 {
			continue
		}
		major, err1 := strconv.ParseUint(dev[0], 16, 32)
		minor, err2 := strconv.ParseUint(dev[1], 16, 32)
		inode, err3 := strconv.ParseUint(dev[2], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		out = append(out, lockEntry{
			Kind: fields[1], Write: fields[3] == "WRITE", Pid: pid,
			Major: major, Minor: minor, Inode: inode,
		})
	}
	return out, sc.Err()
}

// devMajorMinor splits a Linux dev_t as glibc's major()/minor() do.
func devMajorMinor(dev uint64) (major, minor uint64) {
	major = (dev>>8)&0xfff | (dev>>32)&0xfffff000
	minor = dev&0xff | (dev>>12)&0xffffff00
	return major, minor
}

// lockHolder returns the pid that holds a write lock on path, or 0 when
// nobody does (or the file does not exist yet).
func lockHolder(procDir, path string) (int, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return 0, nil
		}
		return 0, fmt.Errorf("inspect store lock %s: %w", path, err)
	}
	f, err := os.Open(filepath.Join(procDir, "locks"))
	if err != nil {
		return 0, fmt.Errorf("read the kernel's lock table: %w (amqlab needs Linux /proc to tell master from slave)", err)
	}
	defer f.Close()
	locks, err := parseLocks(f)
	if err != nil {
		return 0, fmt.Errorf("read the kernel's lock table: %w", err)
	}
	major, minor := devMajorMinor(uint64(st.Dev))
	var sameInode []int
	for _, lk := range locks {
		if !lk.Write || lk.Inode != st.Ino {
			continue
		}
		if lk.Major == major && lk.Minor == minor {
			return lk.Pid, nil
		}
		sameInode = append(sameInode, lk.Pid)
	}
	// Stacked filesystems (overlayfs) show the lower device in /proc/locks;
	// then confirm the inode match by the holder having the file open.
	for _, pid := range sameInode {
		if hasOpen(procDir, pid, path) {
			return pid, nil
		}
	}
	return 0, nil
}

// hasOpen reports whether pid has path open.
func hasOpen(procDir string, pid int, path string) bool {
	targets, err := fdTargets(procDir, pid)
	return err == nil && slices.Contains(targets, path)
}
