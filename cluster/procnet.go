package cluster

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// listenerPID finds the process that listens on a TCP port, on any local
// address: the kernel's socket tables give the socket's inode, and the
// process is the one with a descriptor on that socket. The tables are read
// once, then each process's descriptors. Processes of other users stay
// invisible to a normal user; ok is false then.
func listenerPID(port int) (pid int, ok bool) {
	inodes := map[uint64]bool{}
	for _, table := range []string{"tcp", "tcp6"} {
		f, err := os.Open(filepath.Join(procRoot, "net", table))
		if err != nil {
			continue
		}
		for p, ino := range scanListeners(f) {
			if p == port && ino != 0 {
				inodes[ino] = true
			}
		}
		f.Close()
	}
	if len(inodes) == 0 {
		return 0, false
	}
	entries, err := os.ReadDir(procRoot)
	if err != nil {
		return 0, false
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		socks, err := socketInodes(procRoot, pid)
		if err != nil {
			continue
		}
		for ino := range socks {
			if inodes[ino] {
				return pid, true
			}
		}
	}
	return 0, false
}

// describeProcess names a process for a person: its program and, for an
// ActiveMQ broker, the home it runs from.
func describeProcess(pid int) string {
	args, err := readCmdline(procRoot, pid)
	if err != nil || len(args) == 0 {
		return "pid " + strconv.Itoa(pid)
	}
	desc := "pid " + strconv.Itoa(pid) + " (" + filepath.Base(args[0])
	for _, a := range args {
		if base, ok := strings.CutPrefix(a, "-Dactivemq.base="); ok {
			desc += ", ActiveMQ in " + base
			break
		}
	}
	return desc + ")"
}
