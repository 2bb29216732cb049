package cluster

import (
	"archive/zip"
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Inspect looks at an ActiveMQ home (an unpacked release, or an installed
// one such as Debian's) and tells what it is: version, logging backend,
// web console, protocol modules and the Java it needs. Only the
// description fields are filled; the caller records where it came from.
func Inspect(dir string) (*Distribution, error) {
	if _, err := os.Stat(filepath.Join(dir, activemqJar)); err != nil {
		if isNotExist(err) {
			return nil, fmt.Errorf("%s is not an ActiveMQ distribution: %s is missing; %s", dir, activemqJar, distHelp)
		}
		return nil, fmt.Errorf("cannot read %s: %w", filepath.Join(dir, activemqJar), err)
	}
	jars, err := listJars(dir)
	if err != nil {
		return nil, err
	}
	d := &Distribution{}
	if d.Version, err = jarVersion(dir, jars); err != nil {
		return nil, err
	}
	d.Logging = loggingBackend(jars, d.Version)
	d.WebConsole = exists(filepath.Join(dir, "webapps", "admin")) || exists(filepath.Join(dir, "lib", "web"))
	for _, p := range []string{"amqp", "mqtt", "stomp"} {
		if hasJar(jars, "activemq-"+p) {
			d.Protocols = append(d.Protocols, p)
		}
	}
	d.MinJava = minJava(d.Version)
	d.HasConf = exists(filepath.Join(dir, "conf", "activemq.xml"))
	return d, nil
}

// jarDirs are where a release keeps the jars that decide what it can do.
var jarDirs = []string{"lib", filepath.Join("lib", "optional")}

// listJars maps the base names of the usable jars in jarDirs to their
// paths. A dangling link (Debian's home when recommended packages are
// missing) is not usable and is left out.
func listJars(dir string) (map[string]string, error) {
	jars := map[string]string{}
	for _, sub := range jarDirs {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if isNotExist(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", filepath.Join(dir, sub), err)
		}
		for _, e := range entries {
			p := filepath.Join(dir, sub, e.Name())
			if strings.HasSuffix(e.Name(), ".jar") && exists(p) {
				jars[e.Name()] = p
			}
		}
	}
	return jars, nil
}

// hasJar reports a jar named prefix.jar or prefix-<version>.jar.
func hasJar(jars map[string]string, prefix string) bool {
	for name := range jars {
		if name == prefix+".jar" || (strings.HasPrefix(name, prefix+"-") && startsWithDigit(name[len(prefix)+1:])) {
			return true
		}
	}
	return false
}

func startsWithDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

var brokerJarVersion = regexp.MustCompile(`^activemq-broker-(\d+\.\d+\.\d+[^/]*)\.jar$`)

// jarVersion reads the version from the broker jar's name, as upstream
// names it, or else from its manifest (Debian's jars have no version in
// their names).
func jarVersion(dir string, jars map[string]string) (string, error) {
	var manifestCandidates []string
	for name, p := range jars {
		if m := brokerJarVersion.FindStringSubmatch(name); m != nil {
			return m[1], nil
		}
		if strings.HasPrefix(name, "activemq-broker") {
			manifestCandidates = append(manifestCandidates, p)
		}
	}
	sort.Strings(manifestCandidates)
	for _, p := range manifestCandidates {
		if v, err := manifestVersion(p); err == nil && v != "" {
			return v, nil
		}
	}
	return "", fmt.Errorf("%s is not a usable ActiveMQ distribution: no lib/activemq-broker*.jar with a version; %s", dir, distHelp)
}

// manifestVersion returns Implementation-Version (else Bundle-Version)
// from a jar's META-INF/MANIFEST.MF.
func manifestVersion(jar string) (string, error) {
	zr, err := zip.OpenReader(jar)
	if err != nil {
		return "", err
	}
	defer zr.Close()
	f, err := zr.Open("META-INF/MANIFEST.MF")
	if err != nil {
		return "", err
	}
	defer f.Close()
	attrs := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok {
			attrs[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	if v := attrs["Implementation-Version"]; v != "" {
		return v, nil
	}
	if v := attrs["Bundle-Version"]; v != "" {
		return v, nil
	}
	return "", errors.New("no version in manifest")
}

// loggingBackend tells which logging configuration the broker reads.
// The jars decide; the version only breaks a tie (5.17 moved to log4j2).
func loggingBackend(jars map[string]string, version string) string {
	switch {
	case hasJar(jars, "log4j-core"):
		return LoggingLog4j2
	case hasJar(jars, "log4j") || hasJar(jars, "reload4j"):
		return LoggingLog4j1
	case versionAtLeast(version, 5, 17):
		return LoggingLog4j2
	default:
		return LoggingLog4j1
	}
}

// minJava is the oldest Java major version a release line runs on.
func minJava(version string) int {
	switch {
	case versionAtLeast(version, 6, 0):
		return 17
	case versionAtLeast(version, 5, 17):
		return 11
	default:
		return 8
	}
}

// versionAtLeast compares the major and minor parts of version.
func versionAtLeast(version string, major, minor int) bool {
	parts := strings.SplitN(version, ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(strings.TrimFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' }))
	if err1 != nil || err2 != nil {
		return false
	}
	return ma > major || (ma == major && mi >= minor)
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
