package cluster

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The supervisor decides from kernel facts, not from its own memory, so that
// any amqlab process (a foreground up, a status in another terminal) reaches
// the same answer. These helpers read those facts from /proc; amqlab runs
// brokers on Linux only.

// procRoot is where the kernel's process facts are mounted.
const procRoot = "/proc"

// procInfo is what /proc/<pid>/stat says about a process.
type procInfo struct {
	State     byte   // R, S, D, Z, …; Z is a zombie: dead, only not reaped yet
	StartTime uint64 // clock ticks after boot; with the pid it names one process for ever
}

// readProcInfo parses /proc/<pid>/stat. The command name (field 2) may hold
// spaces and parentheses, so parsing starts after its last ')'.
func readProcInfo(procDir string, pid int) (procInfo, error) {
	data, err := os.ReadFile(filepath.Join(procDir, strconv.Itoa(pid), "stat"))
	if err != nil {
		return procInfo{}, err
	}
	return parseProcStat(data)
}

func parseProcStat(data []byte) (procInfo, error) {
	end := bytes.LastIndexByte(data, ')')
	if end < 0 {
		return procInfo{}, errors.New("malformed stat: no command name")
	}
	// Fields after the name start with field 3 (state); starttime is field 22.
	fields := strings.Fields(string(data[end+1:]))
	const stateIdx, startIdx = 0, 22 - 3
	if len(fields) <= startIdx || len(fields[stateIdx]) != 1 {
		return procInfo{}, errors.New("malformed stat: too few fields")
	}
	start, err := strconv.ParseUint(fields[startIdx], 10, 64)
	if err != nil {
		return procInfo{}, fmt.Errorf("malformed stat start time: %w", err)
	}
	return procInfo{State: fields[stateIdx][0], StartTime: start}, nil
}

// threadsLeft reports whether a process whose main thread is a zombie still
// has threads that have not finished exiting. A killed JVM shows its main
// thread as a zombie while the others still run down, and only when the
// last one is gone does the kernel close its files and drop its locks.
func threadsLeft(procDir string, pid int) bool {
	taskDir := filepath.Join(procDir, strconv.Itoa(pid), "task")
	entries, err := os.ReadDir(taskDir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(taskDir, e.Name(), "stat"))
		if err != nil {
			continue
		}
		if info, err := parseProcStat(data); err == nil && info.State != 'Z' {
			return true
		}
	}
	return false
}

// readCmdline returns the arguments of a process.
func readCmdline(procDir string, pid int) ([]string, error) {
	data, err := os.ReadFile(filepath.Join(procDir, strconv.Itoa(pid), "cmdline"))
	if err != nil {
		return nil, err
	}
	data = bytes.TrimRight(data, "\x00")
	if len(data) == 0 {
		return nil, nil
	}
	return strings.Split(string(data), "\x00"), nil
}

// fdTargets lists what the open file descriptors of a process point to. A
// process of another user cannot be inspected; that yields an error.
func fdTargets(procDir string, pid int) ([]string, error) {
	fdDir := filepath.Join(procDir, strconv.Itoa(pid), "fd")
	entries, err := os.ReadDir(fdDir)
	if err != nil {
		return nil, err
	}
	targets := make([]string, 0, len(entries))
	for _, e := range entries {
		if target, err := os.Readlink(filepath.Join(fdDir, e.Name())); err == nil {
			targets = append(targets, target) // else closed meanwhile
		}
	}
	return targets, nil
}

// socketInodes lists the inodes of the sockets a process has open.
func socketInodes(procDir string, pid int) (map[uint64]bool, error) {
	targets, err := fdTargets(procDir, pid)
	if err != nil {
		return nil, err
	}
	inodes := map[uint64]bool{}
	for _, target := range targets {
		rest, ok := strings.CutPrefix(target, "socket:[")
		if !ok {
			continue
		}
		if ino, err := strconv.ParseUint(strings.TrimSuffix(rest, "]"), 10, 64); err == nil {
			inodes[ino] = true
		}
	}
	return inodes, nil
}

// listeningPorts returns the TCP ports on which pid has a listening socket.
// Reading the kernel's socket table instead of connecting keeps the brokers'
// logs free of probe connections.
func listeningPorts(procDir string, pid int) (map[int]bool, error) {
	inodes, err := socketInodes(procDir, pid)
	if err != nil {
		return nil, err
	}
	ports := map[int]bool{}
	for _, table := range []string{"tcp", "tcp6"} {
		f, err := os.Open(filepath.Join(procDir, "net", table))
		if err != nil {
			continue // no IPv6, for example
		}
		for port, ino := range scanListeners(f) {
			if inodes[ino] {
				ports[port] = true
			}
		}
		f.Close()
	}
	return ports, nil
}

// scanListeners yields local port and socket inode of every socket in the
// LISTEN state (0A) of a /proc/net/tcp{,6} table.
func scanListeners(r io.Reader) func(yield func(int, uint64) bool) {
	return func(yield func(int, uint64) bool) {
		sc := bufio.NewScanner(r)
		sc.Scan() // header
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 10 || fields[3] != "0A" {
				continue
			}
			_, portHex, ok := strings.Cut(fields[1], ":")
			if !ok {
				continue
			}
			port, err1 := strconv.ParseUint(portHex, 16, 16)
			ino, err2 := strconv.ParseUint(fields[9], 10, 64)
			if err1 != nil || err2 != nil {
				continue
			}
			if !yield(int(port), ino) {
				return
			}
		}
	}
}
