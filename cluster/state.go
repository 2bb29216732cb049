package cluster

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// StateFile is the lab's memory: later commands read the plan from it
// instead of asking for every flag again.
const StateFile = "amqlab.json"

const stateVersion = 1

// State is what a lab directory records about itself.
type State struct {
	Version int           `json:"version"`
	Plan    *Plan         `json:"plan"`
	Dist    *Distribution `json:"dist,omitempty"`
}

// ErrNoLab means the directory holds no lab yet.
var ErrNoLab = errors.New("no lab here")

// LoadState reads <dir>/amqlab.json.
func LoadState(dir string) (*State, error) {
	path := filepath.Join(dir, StateFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w (run 'amqlab install' or 'amqlab up' first, or point --dir at a lab)", dir, ErrNoLab)
	}
	if err != nil {
		return nil, fmt.Errorf("read lab state: %w", err)
	}
	var s State
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("lab state %s is damaged (%v); fix or remove it and run 'amqlab install' again", path, err)
	}
	if s.Version != stateVersion || s.Plan == nil {
		return nil, fmt.Errorf("lab state %s has version %d, this amqlab reads version %d; remove the lab with 'amqlab down --purge' and create it again", path, s.Version, stateVersion)
	}
	return &s, nil
}

// Save writes the state atomically so that a crash never leaves half a file.
func (s *State) Save() error {
	s.Version = stateVersion
	dir := s.Plan.Dir
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create lab directory: %w", err)
	}
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, StateFile), append(data, '\n'), 0o644)
}

// writeFileAtomic writes through a temporary file in the same directory and
// renames it into place.
func writeFileAtomic(path string, data []byte, perm fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
