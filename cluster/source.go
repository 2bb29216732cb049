package cluster

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Kinds of distribution source, as recorded in Distribution.Kind.
const (
	KindArchive   = "archive"
	KindDirectory = "directory"
	KindURL       = "url"
)

// ApacheArchiveURL is where a bare version such as 5.18.6 is fetched from:
// the Apache release archive keeps every release, unlike the mirrors.
const ApacheArchiveURL = "https://archive.apache.org/dist/activemq/%[1]s/apache-activemq-%[1]s-bin.tar.gz"

// activemqJar is the launcher every ActiveMQ home has; its presence is what
// makes a directory a distribution.
const activemqJar = "bin/activemq.jar"

var bareVersion = regexp.MustCompile(`^\d+\.\d+\.\d+$`)

// DefaultSearch lists the places an installed ActiveMQ is looked for when no
// distribution is given: $ACTIVEMQ_HOME, then the Debian package's home,
// then the usual manual install location.
func DefaultSearch() []string {
	var dirs []string
	if h := os.Getenv("ACTIVEMQ_HOME"); h != "" {
		dirs = append(dirs, h)
	}
	return append(dirs, "/usr/share/activemq", "/opt/activemq")
}

// source is a resolved --dist: where the distribution comes from, before
// anything is downloaded or unpacked.
type source struct {
	spec string // what the user gave, with a relative path made absolute
	kind string // KindArchive, KindDirectory or KindURL
	path string // local archive or directory
	url  string // for KindURL
}

// identity is what makes two sources the same distribution.
func (s source) identity() string {
	if s.kind == KindURL {
		return s.url
	}
	return s.path
}

func (s source) String() string { return s.identity() }

// resolveSource classifies spec: an http(s) URL, a bare version (fetched
// from the Apache archive), a local archive or an ActiveMQ home directory.
// A local path wins over a version of the same spelling.
func resolveSource(spec string) (source, error) {
	if spec == "" {
		return source{}, errors.New("no distribution given")
	}
	if strings.Contains(spec, "://") {
		return resolveURL(spec)
	}
	fi, err := os.Stat(spec)
	if errors.Is(err, fs.ErrNotExist) && bareVersion.MatchString(spec) {
		return source{spec: spec, kind: KindURL, url: fmt.Sprintf(ApacheArchiveURL, spec)}, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return source{}, fmt.Errorf("distribution %s does not exist; %s", spec, distHelp)
	}
	if err != nil {
		return source{}, fmt.Errorf("distribution %s cannot be read: %w; check its permissions", spec, err)
	}
	abs, err := filepath.Abs(spec)
	if err != nil {
		return source{}, fmt.Errorf("distribution %s: %w", spec, err)
	}
	switch {
	case fi.IsDir():
		return source{spec: abs, kind: KindDirectory, path: abs}, nil
	case fi.Mode().IsRegular():
		return source{spec: abs, kind: KindArchive, path: abs}, nil
	default:
		return source{}, fmt.Errorf("distribution %s is neither a regular file nor a directory; %s", spec, distHelp)
	}
}

func resolveURL(spec string) (source, error) {
	u, err := url.Parse(spec)
	if err != nil {
		return source{}, fmt.Errorf("distribution URL %q: %w", spec, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return source{}, fmt.Errorf("distribution URL %s: scheme %q is not supported; use http(s) or a local path", spec, u.Scheme)
	}
	if u.Host == "" || u.Path == "" || strings.HasSuffix(u.Path, "/") {
		return source{}, fmt.Errorf("distribution URL %s does not name an archive file; give the URL of a .tar.gz or .zip", spec)
	}
	return source{spec: spec, kind: KindURL, url: u.String()}, nil
}

// distHelp is appended to errors about a missing or unusable distribution.
const distHelp = "give --dist a .tar.gz/.tgz/.zip of ActiveMQ, an ActiveMQ home directory, an http(s) URL or a version such as 5.18.6"

// findInstalled returns the first directory of search that holds an
// ActiveMQ home, for use when no distribution was given.
func findInstalled(search []string) (string, error) {
	for _, dir := range search {
		if dir == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, activemqJar)); err == nil {
			return dir, nil
		}
	}
	return "", fmt.Errorf("no ActiveMQ distribution given and none installed (looked in %s); %s, set $AMQLAB_DIST or $ACTIVEMQ_HOME, or install one (apt-get install activemq)",
		strings.Join(search, ", "), distHelp)
}

// recordedSource rebuilds the source of an installed distribution, so a
// re-run without --dist keeps using it and a different one can be told apart.
func recordedSource(d *Distribution) source {
	s := source{spec: d.Source, kind: d.Kind, path: d.Path}
	if d.Kind == KindURL {
		s.url = d.Source
		if bareVersion.MatchString(d.Source) {
			s.url = fmt.Sprintf(ApacheArchiveURL, d.Source)
		}
	}
	return s
}
