package cluster

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// javaPath finds the java launcher the way the stock activemq script does:
// $JAVA_HOME/bin/java when JAVA_HOME is set, else java on PATH.
func javaPath() (string, error) {
	if home := os.Getenv("JAVA_HOME"); home != "" {
		java := filepath.Join(home, "bin", "java")
		info, err := os.Stat(java)
		if err != nil || info.IsDir() || info.Mode()&0o111 == 0 {
			return "", fmt.Errorf("JAVA_HOME is %s but %s is not an executable java; fix JAVA_HOME or unset it to use java from PATH", home, java)
		}
		return java, nil
	}
	java, err := exec.LookPath("java")
	if err != nil {
		return "", errors.New("java not found on PATH and JAVA_HOME is not set; install a Java runtime (ActiveMQ 5.17+ needs Java 11+, 6.x needs 17+) or set JAVA_HOME")
	}
	return java, nil
}

// brokerArgs is the JVM command line of one broker, what bin/activemq would
// run, without the shell script. The broker's home serves as both
// ACTIVEMQ_HOME and ACTIVEMQ_BASE. User options come after the lab's heap so
// that a -Xmx among them wins.
func brokerArgs(p *Plan, b BrokerPlan) []string {
	args := []string{"-Xmx" + p.Heap}
	// The stock script points the JVM at these two when conf/ has them; the
	// web console of 6.x logs in through the JAAS realm of login.config.
	for _, f := range []struct{ prop, file string }{
		{"java.security.auth.login.config", "login.config"},
		{"java.util.logging.config.file", "logging.properties"},
	} {
		if path := filepath.Join(b.ConfDir(), f.file); fileExists(path) {
			args = append(args, "-D"+f.prop+"="+path)
		}
	}
	args = append(args, p.JavaOpts...)
	return append(args,
		"-Djava.io.tmpdir="+brokerTmpDir(b),
		"-Dactivemq.home="+b.Home,
		brokerMarker(b),
		"-Dactivemq.conf="+b.ConfDir(),
		"-Dactivemq.data="+b.DataDir(),
		"-Dactivemq.classpath="+b.ConfDir(),
		"-jar", filepath.Join(b.Home, "bin", "activemq.jar"),
		"start", "xbean:file:"+filepath.Join(b.ConfDir(), "activemq.xml"),
	)
}

func fileExists(path string) bool {
	info, err := os.Stat(path)
	return err == nil && !info.IsDir()
}

func brokerTmpDir(b BrokerPlan) string { return filepath.Join(b.DataDir(), "tmp") }

// started is what the launcher learns about a new process before anyone
// can reap it.
type started struct {
	pid   int
	ticks uint64
}

// startProcess starts cmd and reaps it in the background, calling onExit
// with how it ended. Attached children are tied to this process: they are
// forked from a goroutine locked to its own OS thread, with a parent-death
// signal of SIGKILL. The kernel sends that signal when the forking thread
// ends, so the thread lives exactly as long as the child, and dies with this
// process however it ends (kill -9 included).
func startProcess(cmd *exec.Cmd, attached bool, onExit func(started, *os.ProcessState)) (started, error) {
	cmd.SysProcAttr = sysProcAttr(attached)
	result := make(chan error, 1)
	var s started
	go func() {
		if attached {
			lockThreadForever()
		}
		if err := cmd.Start(); err != nil {
			result <- err
			return
		}
		s.pid = cmd.Process.Pid
		// Not yet reaped, so /proc/<pid> is there even if the JVM died at once.
		if info, err := readProcInfo(procRoot, s.pid); err == nil {
			s.ticks = info.StartTime
		}
		result <- nil
		_ = cmd.Wait()
		onExit(s, cmd.ProcessState)
	}()
	if err := <-result; err != nil {
		return started{}, err
	}
	return s, nil
}

// exitOf turns a wait status into the numbers a shell would show.
func exitOf(s started, st *os.ProcessState) exitRecord {
	e := exitRecord{Pid: s.pid, StartTicks: s.ticks, Code: -1, At: time.Now()}
	if st == nil {
		return e
	}
	e.Code = st.ExitCode()
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		e.Signal = signalName(ws.Signal())
		e.Code = 128 + int(ws.Signal())
	}
	return e
}

func signalName(sig syscall.Signal) string {
	switch sig {
	case syscall.SIGKILL:
		return "SIGKILL"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGINT:
		return "SIGINT"
	}
	return "signal " + strconv.Itoa(int(sig))
}
