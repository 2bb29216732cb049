package cluster

import (
	"bufio"
	"errors"
	"io"
	"io/fs"
	"os"
	"strings"
)

// Role is what a broker of the lab is doing right now.
type Role string

// A broker's role is decided from facts only: is the recorded process still
// this broker, does it hold the store lock, does it listen on its OpenWire
// port, and what did it log since this start.
const (
	RoleMaster   Role = "master"   // holds the store lock, listens, logged "started"
	RoleSlave    Role = "slave"    // alive, no lock, logged the slave-mode line
	RoleStarting Role = "starting" // alive, neither yet
	RoleStopped  Role = "stopped"  // not running
	RoleFailed   Role = "failed"   // exited while starting
)

// Alive reports whether the role belongs to a running process.
func (r Role) Alive() bool {
	return r == RoleMaster || r == RoleSlave || r == RoleStarting
}

// brokerFacts is what roleOf decides from.
type brokerFacts struct {
	Recorded  bool // a run record exists
	Alive     bool // the recorded process runs and is this broker
	Stopping  bool // amqlab asked it to end
	HoldsLock bool
	Listening bool // on its OpenWire port
	Log       logFacts
	ExitCode  int // of this run when reaped by amqlab; -1 unknown
}

// logFacts is what a broker's console said since its start.
type logFacts struct {
	Started bool // "Apache ActiveMQ <v> (<name>, <id>) started"
	Slave   bool // "… is locked by another server. This broker is now in slave mode …"
	Failed  bool // "Failed to start Apache ActiveMQ" or the launcher's "ERROR:"
}

func roleOf(f brokerFacts) Role {
	switch {
	case !f.Recorded:
		return RoleStopped
	case f.Alive && f.HoldsLock && f.Listening && f.Log.Started:
		return RoleMaster
	case f.Alive && !f.HoldsLock && f.Log.Slave:
		return RoleSlave
	case f.Alive:
		return RoleStarting
	case f.Stopping || f.Log.Started || f.Log.Slave:
		return RoleStopped // asked to stop, or ended after it was up
	case f.Log.Failed || f.ExitCode > 0:
		return RoleFailed
	}
	return RoleStopped // a stale record: nothing says it ever failed
}

// scanLog reads a console log from offset on.
func scanLog(path string, offset int64) (logFacts, error) {
	var lf logFacts
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return lf, nil
	}
	if err != nil {
		return lf, err
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.Size() < offset {
		offset = 0 // the log was replaced by hand
	}
	return parseLogFacts(io.NewSectionReader(f, offset, 1<<62)), nil
}

func parseLogFacts(r io.Reader) logFacts {
	var lf logFacts
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.Contains(line, "Apache ActiveMQ") && strings.Contains(line, ") started"):
			lf.Started = true
		case strings.Contains(line, "is locked by another server") && strings.Contains(line, "slave mode"):
			lf.Slave = true
		case strings.Contains(line, "Failed to start Apache ActiveMQ"), strings.HasPrefix(line, "ERROR: "):
			lf.Failed = true
		}
	}
	return lf
}
