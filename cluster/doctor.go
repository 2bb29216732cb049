package cluster

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// Check is one finding of the doctor: what was checked, whether it passed,
// what was found and, when it failed, what to do.
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
}

// MinFreeDisk is the free space below which the disk check fails: two
// broker homes take about 100 MiB and the store and logs grow from there.
const MinFreeDisk = 500 << 20

// javaCheckTimeout bounds "java -version"; a JVM starts in well under a
// second, but a loaded machine can be slow.
const javaCheckTimeout = time.Minute

// Doctor checks that this machine can run the lab: Java, free ports,
// working file locks on the store's filesystem and free disk.
func (l *Lab) Doctor(ctx context.Context) []Check {
	return Diagnose(ctx, l.Plan(), l.Dist())
}

// Diagnose runs the doctor's checks for a plan that may not be installed
// yet; d is nil before the first install.
func Diagnose(ctx context.Context, p *Plan, d *Distribution) []Check {
	checks := []Check{checkJava(ctx, d)}
	for _, pp := range p.Ports() {
		if pp.Use == "web" && d != nil && !d.WebConsole {
			continue // the distribution has no web console to listen
		}
		checks = append(checks, checkPort(p, pp))
	}
	checks = append(checks, checkLocks(p))
	return append(checks, checkDisk(p)...)
}

// AllOK reports whether every check passed.
func AllOK(checks []Check) bool {
	return !slices.ContainsFunc(checks, func(c Check) bool { return !c.OK })
}

func checkJava(ctx context.Context, d *Distribution) Check {
	c := Check{Name: "java"}
	need, needFor := 0, ""
	if d != nil {
		need, needFor = d.MinJava, fmt.Sprintf("ActiveMQ %s needs Java %d+", d.Version, d.MinJava)
	}
	install := "install a Java runtime (apt-get install default-jre-headless) or set JAVA_HOME"
	if need > 0 {
		install = fmt.Sprintf("install Java %d or newer and point JAVA_HOME at it", need)
	}
	java, err := javaPath()
	if err != nil {
		c.Detail, c.Fix = err.Error(), install
		return c
	}
	ctx, cancel := context.WithTimeout(ctx, javaCheckTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, java, "-version").CombinedOutput()
	if err != nil {
		c.Detail, c.Fix = fmt.Sprintf("%s -version failed: %v", java, err), install
		return c
	}
	major := parseJavaMajor(string(out))
	switch {
	case major == 0:
		c.Detail, c.Fix = fmt.Sprintf("%s did not report a version amqlab understands", java), install
	case need > 0 && major < need:
		c.Detail, c.Fix = fmt.Sprintf("%s is Java %d; %s", java, major, needFor), install
	case need > 0:
		c.OK, c.Detail = true, fmt.Sprintf("%s is Java %d; %s", java, major, needFor)
	default:
		c.OK, c.Detail = true, fmt.Sprintf("%s is Java %d (ActiveMQ 5.17+ needs 11, 6.x needs 17; checked again after install)", java, major)
	}
	return c
}

// checkPort binds the port on the listen host and lets it go. A port held
// by the broker it is planned for is fine: that broker is running.
func checkPort(p *Plan, pp PlannedPort) Check {
	c := Check{Name: fmt.Sprintf("port %d (%s %s)", pp.Port, pp.Broker, pp.Use)}
	addr := net.JoinHostPort(p.Host, strconv.Itoa(pp.Port))
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		ln.Close()
		c.OK, c.Detail = true, addr+" is free"
		return c
	}
	if !errors.Is(err, unix.EADDRINUSE) {
		c.Detail = fmt.Sprintf("cannot listen on %s: %v", addr, err)
		c.Fix = "give --host an address of this machine, such as 127.0.0.1"
		return c
	}
	c.Fix = "stop that program, or give the lab other ports with --port, --stomp-port or --web-port"
	pid, found := listenerPID(pp.Port)
	if !found {
		c.Detail = addr + " is in use by a process this user cannot see"
		return c
	}
	if b, ok := brokerOfPID(p, pid); ok && b == pp.Broker {
		c.OK, c.Fix = true, ""
		c.Detail = fmt.Sprintf("%s is in use by this lab's broker %s (pid %d)", addr, b, pid)
		return c
	}
	c.Detail = fmt.Sprintf("%s is in use by %s", addr, describeProcess(pid))
	return c
}

// brokerOfPID names the lab broker a process runs, if it is one.
func brokerOfPID(p *Plan, pid int) (string, bool) {
	args, err := readCmdline(procRoot, pid)
	if err != nil {
		return "", false
	}
	for _, b := range p.Brokers {
		if slices.Contains(args, brokerMarker(b)) {
			return b.Name, true
		}
	}
	return "", false
}

// checkLocks proves that the store's filesystem enforces the record locks
// KahaDB relies on: a second lock on the same file must be refused. Two
// open file descriptions with OFD locks conflict exactly like two
// processes with POSIX locks (which is what Java takes), so one process
// can run the test. A filesystem that grants both would make every broker
// a master on one store.
func checkLocks(p *Plan) Check {
	c := Check{Name: "store file locks"}
	dir := nearestDir(p.Store)
	fsName := filesystemName(dir)
	c.Fix = "put the store on a local filesystem (ext4, xfs, btrfs, tmpfs) with --store"
	f1, err := os.CreateTemp(dir, ".amqlab-lockcheck-*")
	if err != nil {
		c.Detail = fmt.Sprintf("cannot create a test file in %s: %v", dir, err)
		c.Fix = "make the store's directory writable, or choose another with --store"
		return c
	}
	defer os.Remove(f1.Name())
	defer f1.Close()
	f2, err := os.OpenFile(f1.Name(), os.O_RDWR, 0)
	if err != nil {
		c.Detail = fmt.Sprintf("cannot reopen the test file in %s: %v", dir, err)
		return c
	}
	defer f2.Close()
	if err := ofdWriteLock(f1); err != nil {
		c.Detail = fmt.Sprintf("%s (%s) does not support file locks: %v", dir, fsName, err)
		return c
	}
	err = ofdWriteLock(f2)
	switch {
	case err == nil:
		c.Detail = fmt.Sprintf("%s (%s) granted two write locks on one file; every broker would become master", dir, fsName)
		return c
	case !errors.Is(err, unix.EAGAIN) && !errors.Is(err, unix.EACCES):
		c.Detail = fmt.Sprintf("%s (%s): unexpected lock error: %v", dir, fsName, err)
		return c
	}
	c.Fix = ""
	c.OK, c.Detail = true, fmt.Sprintf("%s (%s) refuses a second write lock, as KahaDB needs", dir, fsName)
	if networkFS(dir) && p.KeepAlive == 0 {
		c.OK = false
		c.Detail = fmt.Sprintf("%s is on %s, a network filesystem, and lock keep-alive is off: a master that loses its lock would not notice", dir, fsName)
		c.Fix = "set --keep-alive (for example 2000 ms), or put the store on a local disk with --store"
		return c
	}
	if pid, err := lockHolder(procRoot, filepath.Join(p.Store, "lock")); err == nil && pid != 0 {
		c.Detail += fmt.Sprintf("; the store is locked now by %s (the master)", describeProcess(pid))
	}
	return c
}

// ofdWriteLock takes a non-blocking write lock on the whole file, owned by
// the open file description rather than the process.
func ofdWriteLock(f *os.File) error {
	lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: 0, Start: 0, Len: 0}
	return unix.FcntlFlock(f.Fd(), unix.F_OFD_SETLK, &lk)
}

// checkDisk reports free space for the lab and, when it lies elsewhere,
// for the store.
func checkDisk(p *Plan) []Check {
	var checks []Check
	seen := map[unix.Fsid]bool{}
	for _, dir := range []string{nearestDir(p.Dir), nearestDir(p.Store)} {
		var st unix.Statfs_t
		if err := unix.Statfs(dir, &st); err != nil {
			checks = append(checks, Check{Name: "disk space", Detail: fmt.Sprintf("cannot read free space of %s: %v", dir, err)})
			continue
		}
		if seen[st.Fsid] {
			continue
		}
		seen[st.Fsid] = true
		free := st.Bavail * uint64(st.Bsize)
		c := Check{Name: "disk space", OK: free >= MinFreeDisk}
		c.Detail = fmt.Sprintf("%s free on %s", formatBytes(free), dir)
		if !c.OK {
			c.Detail += fmt.Sprintf(", less than the %s a lab needs", formatBytes(MinFreeDisk))
			c.Fix = "free some space, or put the lab elsewhere with --dir (and the store with --store)"
		}
		checks = append(checks, c)
	}
	return checks
}

// nearestDir is dir or its closest existing ancestor: the doctor runs
// before install, when the lab's directories may not exist yet.
func nearestDir(dir string) string {
	for {
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
			return dir
		} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return dir // let the caller report the real error
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return dir
		}
		dir = parent
	}
}

var filesystemNames = map[int64]string{
	unix.EXT4_SUPER_MAGIC:      "ext4",
	unix.XFS_SUPER_MAGIC:       "xfs",
	unix.BTRFS_SUPER_MAGIC:     "btrfs",
	unix.TMPFS_MAGIC:           "tmpfs",
	unix.RAMFS_MAGIC:           "ramfs",
	unix.F2FS_SUPER_MAGIC:      "f2fs",
	unix.OVERLAYFS_SUPER_MAGIC: "overlayfs",
	0x2fc12fc1:                 "zfs",
	unix.FUSE_SUPER_MAGIC:      "fuse",
	unix.NFS_SUPER_MAGIC:       "nfs",
	unix.CIFS_SUPER_MAGIC:      "cifs",
	unix.SMB2_SUPER_MAGIC:      "smb2",
	unix.SMB_SUPER_MAGIC:       "smb",
	unix.CEPH_SUPER_MAGIC:      "ceph",
	unix.AFS_SUPER_MAGIC:       "afs",
	unix.V9FS_MAGIC:            "9p",
}

var networkFilesystems = []int64{
	unix.NFS_SUPER_MAGIC, unix.CIFS_SUPER_MAGIC, unix.SMB2_SUPER_MAGIC, unix.SMB_SUPER_MAGIC,
	unix.CEPH_SUPER_MAGIC, unix.AFS_SUPER_MAGIC, unix.V9FS_MAGIC,
}

func filesystemType(dir string) (int64, bool) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return int64(st.Type), true
}

func filesystemName(dir string) string {
	t, ok := filesystemType(dir)
	if !ok {
		return "unknown filesystem"
	}
	if name, ok := filesystemNames[t]; ok {
		return name
	}
	return fmt.Sprintf("filesystem 0x%x", t)
}

func networkFS(dir string) bool {
	t, ok := filesystemType(dir)
	return ok && slices.Contains(networkFilesystems, t)
}

func formatBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
