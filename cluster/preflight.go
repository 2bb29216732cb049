package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
)

// Everything that can be known to fail is checked before the first JVM
// starts: a lab that starts one broker and then stops on the second leaves
// the user with a half-running lab and a confusing log. The checks are the
// doctor's, turned into one error.

// preflight checks java, the installs and the ports of the brokers about to
// start, and returns the java launcher to use.
func (l *Lab) preflight(ctx context.Context, targets []BrokerPlan) (string, error) {
	java, err := javaPath()
	if err != nil {
		return "", err
	}
	// Without a recorded minimum the broker itself reports a Java too old;
	// skipping the extra JVM start keeps restarts quick.
	if d := l.Dist(); d != nil && d.MinJava > 0 {
		if err := l.verifyJava(ctx, java, d); err != nil {
			return "", err
		}
	}
	for _, b := range targets {
		if err := checkInstalled(b); err != nil {
			return "", err
		}
	}
	plan := l.Plan()
	web := l.Dist() == nil || l.Dist().WebConsole
	for _, pp := range plan.Ports() {
		if pp.Use == "web" && !web || !containsBroker(targets, pp.Broker) {
			continue
		}
		if c := checkPort(plan, pp); !c.OK {
			return "", checkError(c)
		}
	}
	return java, nil
}

// verifyJava checks the launcher's version against the distribution once per
// launcher and minimum: 'java -version' costs a JVM start (about 0.4 s), and
// a scenario starts brokers many times.
func (l *Lab) verifyJava(ctx context.Context, java string, d *Distribution) error {
	key := fmt.Sprintf("%s for Java %d", java, d.MinJava)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.javaVerified == key {
		return nil
	}
	if c := checkJava(ctx, d); !c.OK {
		return checkError(c)
	}
	l.javaVerified = key
	return nil
}

func checkError(c Check) error {
	return fmt.Errorf("%s: %s; %s", c.Name, c.Detail, c.Fix)
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

func containsBroker(bs []BrokerPlan, name string) bool {
	for _, b := range bs {
		if b.Name == name {
			return true
		}
	}
	return false
}

var javaVersionRE = regexp.MustCompile(`version "(\d+)(?:\.(\d+))?`)

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
