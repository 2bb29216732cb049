package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
)

// Everything that can be known to fail is checked before the first JVM
// starts: a lab that starts one broker and then stops on the second leaves
// the user with a half-running lab and a confusing log.

// preflight checks java, the installs and the ports of the brokers about to
// start, and returns the java launcher to use.
func (l *Lab) preflight(ctx context.Context, targets []BrokerPlan) (string, error) {
	java, err := javaPath()
	if err != nil {
		return "", err
	}
	if d := l.Dist(); d != nil && d.MinJava > 0 {
		if err := checkJavaVersion(ctx, java, d.MinJava, d.Version); err != nil {
			return "", err
		}
	}
	for _, b := range targets {
		if err := checkInstalled(b); err != nil {
			return "", err
		}
	}
	if err := l.checkPorts(targets); err != nil {
		return "", err
	}
	return java, nil
}

// checkInstalled looks for the two files a broker cannot start without.
func checkInstalled(b BrokerPlan) error {
	for _, f := range []string{
		filepath.Join(b.Home, "bin", "activemq.jar"),
		filepath.Join(b.ConfDir(), "activemq.xml"),
	} {
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("broker %s is not installed completely (%s: %w); run 'amqlab install' again", b.Name, f, unwrapPathError(err))
		}
	}
	return nil
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// checkPorts binds every port the brokers will listen on, and releases it.
func (l *Lab) checkPorts(targets []BrokerPlan) error {
	plan := l.Plan()
	web := l.Dist() == nil || l.Dist().WebConsole
	for _, pp := range plan.Ports() {
		if pp.Use == "web" && !web || !containsBroker(targets, pp.Broker) {
			continue
		}
		addr := net.JoinHostPort(plan.Host, strconv.Itoa(pp.Port))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("port %d (%s of %s) is already in use%s; stop that program or give the lab other ports ('amqlab install --port …')",
				pp.Port, pp.Use, pp.Broker, describePortOwner(pp.Port))
		}
		ln.Close()
	}
	return nil
}

func containsBroker(bs []BrokerPlan, name string) bool {
	for _, b := range bs {
		if b.Name == name {
			return true
		}
	}
	return false
}

// describePortOwner names the local process listening on port, when this
// user may see it.
func describePortOwner(port int) string {
	entries, err := os.ReadDir(procRoot)
	if err != nil {
		return ""
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		ports, err := listeningPorts(procRoot, pid)
		if err != nil || !ports[port] {
			continue
		}
		args, _ := readCmdline(procRoot, pid)
		name := "?"
		if len(args) > 0 {
			name = filepath.Base(args[0])
		}
		return fmt.Sprintf(" by pid %d (%s)", pid, name)
	}
	return ""
}

var javaVersionRE = regexp.MustCompile(`version "(\d+)(?:\.(\d+))?`)

// checkJavaVersion runs java -version once; ActiveMQ fails with a class
// version error deep in its log when java is too old.
func checkJavaVersion(ctx context.Context, java string, minMajor int, amqVersion string) error {
	out, err := exec.CommandContext(ctx, java, "-version").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s -version failed: %w; check the Java install or JAVA_HOME", java, err)
	}
	major := parseJavaMajor(string(out))
	if major == 0 {
		return nil // unknown format: let the broker speak for itself
	}
	if major < minMajor {
		return fmt.Errorf("ActiveMQ %s needs Java %d or newer, but %s is Java %d; install a newer Java and point JAVA_HOME at it", amqVersion, minMajor, java, major)
	}
	return nil
}

// parseJavaMajor reads the major version from java -version output;
// "1.8.0_402" is Java 8.
func parseJavaMajor(out string) int {
	m := javaVersionRE.FindStringSubmatch(out)
	if m == nil {
		return 0
	}
	major, _ := strconv.Atoi(m[1])
	if major == 1 && m[2] != "" {
		major, _ = strconv.Atoi(m[2])
	}
	return major
}
