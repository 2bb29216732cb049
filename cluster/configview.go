package cluster

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/amqlab/amqlab/xmlpatch"
)

// ConfigDiff shows what the configure step changed: a unified diff between
// each managed file's .orig copy and the file now, per broker (all brokers
// when names is empty). Files without changes are left out.
func (l *Lab) ConfigDiff(names ...string) (string, error) {
	brokers, err := l.brokersNamed(names)
	if err != nil {
		return "", err
	}
	var out strings.Builder
	for _, b := range brokers {
		configured := false
		for _, name := range managedFiles {
			path := filepath.Join(b.ConfDir(), name)
			orig, err := os.ReadFile(path + origSuffix)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return "", fmt.Errorf("read %s: %w", path+origSuffix, err)
			}
			configured = true
			cur, err := os.ReadFile(path)
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return "", fmt.Errorf("read %s: %w", path, err)
			}
			rel := filepath.Join(b.Name, "conf", name)
			d, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
				A:        difflib.SplitLines(string(orig)),
				B:        difflib.SplitLines(string(cur)),
				FromFile: rel + origSuffix,
				ToFile:   rel,
				Context:  3,
			})
			if err != nil {
				return "", fmt.Errorf("diff %s: %w", path, err)
			}
			out.WriteString(d)
		}
		if !configured {
			return "", fmt.Errorf("%s has not been configured yet (no .orig copies in %s); run 'amqlab install' or 'amqlab up' first", b.Name, b.ConfDir())
		}
	}
	return out.String(), nil
}

// ConfigShow reads one broker's effective lab settings back from its files.
func (l *Lab) ConfigShow(name string) (*xmlpatch.Settings, error) {
	brokers, err := l.brokersNamed([]string{name})
	if err != nil {
		return nil, err
	}
	conf := brokers[0].ConfDir()
	path := filepath.Join(conf, activemqXMLFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w; is the broker installed?", path, err)
	}
	st, err := xmlpatch.ReadSettings(path, data)
	if err != nil {
		return nil, err
	}
	if !st.WebConsole {
		return st, nil
	}
	var web xmlpatch.WebSpec
	if p := filepath.Join(conf, xmlpatch.JettySpringProps); exists(p) {
		web, err = readWeb(p, xmlpatch.ReadJettySpring)
	} else if p := filepath.Join(conf, xmlpatch.JettyXML); exists(p) {
		web, err = readWeb(p, xmlpatch.ReadJettyXML)
	}
	if err != nil {
		return nil, err
	}
	st.WebHost, st.WebPort = web.Host, web.Port
	return st, nil
}

func readWeb(path string, read func(string, []byte) (xmlpatch.WebSpec, error)) (xmlpatch.WebSpec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return xmlpatch.WebSpec{}, fmt.Errorf("read %s: %w", path, err)
	}
	return read(path, data)
}
