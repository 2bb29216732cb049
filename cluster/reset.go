package cluster

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Reset empties the shared store for a clean start. It refuses while any
// process holds the store lock or any broker of the lab runs (a slave would
// take the lock the moment it is free); with stopFirst it stops the lab
// first. The lock file itself is kept: deleting the lock file of a store in
// use is how two brokers end up both master.
func (l *Lab) Reset(ctx context.Context, stopFirst bool) error {
	if stopFirst {
		if err := l.Down(ctx, 0); err != nil {
			return fmt.Errorf("stop the lab before reset: %w", err)
		}
	}
	st, h, err := l.snapshot(ctx)
	if err != nil {
		return err
	}
	if h.Foreign() {
		return fmt.Errorf("reset refused: the store lock is held by pid %d, which is not a broker of this lab; stop it with 'kill %d' first", h.Pid, h.Pid)
	}
	for _, s := range st {
		if s.Role.Alive() {
			return fmt.Errorf("reset refused: broker %s (pid %d, %s) is running and uses the store; run 'amqlab down' first or 'amqlab reset --stop'", s.Name, s.Pid, s.Role)
		}
	}
	return clearStore(l.Plan().Store)
}

// clearStore removes everything in the store but its lock file, holding the
// lock meanwhile so that no broker can start on a half-deleted store.
func clearStore(store string) error {
	entries, err := os.ReadDir(store)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read store %s: %w", store, err)
	}
	lockPath := filepath.Join(store, "lock")
	lock, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("open store lock %s: %w", lockPath, err)
	}
	defer lock.Close() // releases the lock
	flock := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0, Start: 0, Len: 0}
	if err := syscall.FcntlFlock(lock.Fd(), syscall.F_SETLK, &flock); err != nil {
		return fmt.Errorf("reset refused: the store lock %s was taken meanwhile (%v); run 'amqlab status' to see by whom", lockPath, err)
	}
	for _, e := range entries {
		if e.Name() == "lock" {
			continue
		}
		if err := os.RemoveAll(filepath.Join(store, e.Name())); err != nil {
			return fmt.Errorf("reset store: %w", err)
		}
	}
	return nil
}

// Purge stops the lab and deletes its directory. A store outside the lab
// directory is left alone.
func (l *Lab) Purge(ctx context.Context, stopTimeout time.Duration) error {
	if err := l.Down(ctx, stopTimeout); err != nil {
		return fmt.Errorf("stop the lab before deleting it: %w", err)
	}
	h, err := l.LockHolder(ctx)
	if err != nil {
		return err
	}
	if h.Pid != 0 {
		return fmt.Errorf("lab not deleted: the store lock is %s; stop that process first", h)
	}
	if err := os.RemoveAll(l.Dir()); err != nil {
		return fmt.Errorf("delete lab %s: %w", l.Dir(), err)
	}
	return nil
}
