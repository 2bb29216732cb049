package cluster

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/amqlab/amqlab/templates"
	"github.com/amqlab/amqlab/xmlpatch"
)

// origSuffix marks the copy of a file as it was before amqlab first changed
// it; it is written once and never overwritten.
const origSuffix = ".orig"

// Files in a broker's conf/ that the configure step manages, in the order
// 'config diff' shows them.
const (
	activemqXMLFile = "activemq.xml"
	log4jFile       = "log4j.properties"
	log4j2File      = "log4j2.properties"
)

var managedFiles = []string{activemqXMLFile, xmlpatch.JettyXML, xmlpatch.JettySpringProps, log4jFile, log4j2File}

// ConfigReport says what the configure step did to one broker.
type ConfigReport struct {
	Broker   string   `json:"broker"`
	Written  []string `json:"written"` // files rewritten, relative to the broker home
	Changes  []string `json:"changes"`
	Warnings []string `json:"warnings,omitempty"`
}

// fileUpdate is one file's new content, computed before anything is written.
type fileUpdate struct {
	path  string
	old   []byte // nil: the file does not exist yet
	data  []byte
	perm  fs.FileMode
	label string // for reports: conf/<name>
}

// Configure applies the plan to every installed broker home: the lab edits
// of activemq.xml, the web console's port and the console log pattern. All
// files of all brokers are patched in memory first, so a file that cannot
// be patched leaves every file as it was. The first change of a file keeps
// the original as <file>.orig.
func (l *Lab) Configure(r Reporter) ([]ConfigReport, error) {
	rep := reporterOrQuiet(r)
	d := l.Dist()
	if d == nil {
		return nil, errors.New("no ActiveMQ installed in this lab yet; run 'amqlab install' first")
	}
	plan := l.Plan()
	done := rep.Step("Check shared store " + plan.Store)
	err := prepareStoreDir(plan.Store)
	done(err)
	if err != nil {
		return nil, err
	}
	if plan.Stomp && !slices.Contains(d.Protocols, "stomp") {
		rep.Warn(fmt.Sprintf("ActiveMQ %s has no STOMP module: the brokers get no STOMP connector, so the native client cannot connect (use --stomp=false to silence this)", d.Version))
	}
	reports := make([]ConfigReport, len(plan.Brokers))
	updates := make([][]fileUpdate, len(plan.Brokers))
	for i, b := range plan.Brokers {
		reports[i].Broker = b.Name
		updates[i], err = brokerUpdates(plan, b, d, &reports[i])
		if err != nil {
			rep.Step("Configure " + b.Name)(err)
			return nil, fmt.Errorf("configure %s: %w (no file of any broker was changed)", b.Name, err)
		}
	}
	if slices.ContainsFunc(reports, func(r ConfigReport) bool {
		return slices.ContainsFunc(r.Changes, func(c string) bool { return strings.Contains(c, xmlpatch.NoWebConsole) })
	}) {
		rep.Info(fmt.Sprintf("ActiveMQ %s has no web console: amqlab removes the web console's <import> from activemq.xml", d.Version))
	}
	for i, b := range plan.Brokers {
		done := rep.Step("Configure " + b.Name)
		err := writeUpdates(updates[i], &reports[i])
		done(err)
		if err != nil {
			return reports, fmt.Errorf("configure %s: %w", b.Name, err)
		}
		for _, w := range reports[i].Warnings {
			rep.Warn(b.Name + ": " + w)
		}
	}
	return reports, nil
}

// prepareStoreDir makes sure the shared KahaDB directory can serve: an
// absolute path (every broker resolves it alike), present and writable.
func prepareStoreDir(store string) error {
	if !filepath.IsAbs(store) {
		return fmt.Errorf("shared store %q is a relative path; every broker must find the same directory, so give an absolute --store", store)
	}
	return ensureWritableDir(store, "shared store", "choose another with --store", "fix its permissions or choose another with --store")
}

// BrokerSpec is what the plan asks of one broker's activemq.xml.
func (p *Plan) BrokerSpec(b BrokerPlan, d *Distribution) xmlpatch.BrokerSpec {
	spec := xmlpatch.BrokerSpec{
		BrokerName:   b.Name,
		Host:         p.Host,
		OpenWirePort: b.OpenWirePort,
		StompPort:    b.StompPort,
		StoreDir:     p.Store,
		LockInterval: p.LockInterval,
		KeepAlive:    p.KeepAlive,
		WebConsole:   d.WebConsole,
	}
	if !slices.Contains(d.Protocols, "stomp") {
		spec.StompPort = 0
	}
	if p.NetworkConnectors {
		for _, o := range p.Brokers {
			if o.Name != b.Name {
				spec.NetworkPeers = append(spec.NetworkPeers, "tcp://"+net.JoinHostPort(p.Host, strconv.Itoa(o.OpenWirePort)))
			}
		}
	}
	return spec
}

// brokerUpdates patches one broker's files in memory.
func brokerUpdates(p *Plan, b BrokerPlan, d *Distribution, rep *ConfigReport) ([]fileUpdate, error) {
	conf := b.ConfDir()
	var out []fileUpdate
	add := func(name string, patch func(path string, data []byte) (*xmlpatch.Result, error)) error {
		u, err := readForUpdate(filepath.Join(conf, name), name == log4jFile)
		if err != nil {
			return err
		}
		res, err := patch(u.path, u.old)
		if err != nil {
			return err
		}
		u.data = res.Data
		rep.Changes = append(rep.Changes, prefixed(u.label, res.Changes)...)
		rep.Warnings = append(rep.Warnings, res.Warnings...)
		out = append(out, u)
		return nil
	}
	spec := p.BrokerSpec(b, d)
	if err := add(activemqXMLFile, func(path string, data []byte) (*xmlpatch.Result, error) {
		return xmlpatch.PatchActiveMQ(path, data, spec)
	}); err != nil {
		return nil, err
	}
	if d.WebConsole {
		web := xmlpatch.WebSpec{Host: p.Host, Port: b.WebPort}
		var err error
		switch {
		case exists(filepath.Join(conf, xmlpatch.JettySpringProps)):
			err = add(xmlpatch.JettySpringProps, func(path string, data []byte) (*xmlpatch.Result, error) {
				return xmlpatch.PatchJettySpring(path, data, web)
			})
		case exists(filepath.Join(conf, xmlpatch.JettyXML)):
			err = add(xmlpatch.JettyXML, func(path string, data []byte) (*xmlpatch.Result, error) {
				return xmlpatch.PatchJettyXML(path, data, web)
			})
		default:
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("neither conf/%s nor conf/%s exists: the web console keeps its own port and may clash with another broker's", xmlpatch.JettySpringProps, xmlpatch.JettyXML))
		}
		if err != nil {
			return nil, err
		}
	}
	var err error
	switch {
	case d.Logging == LoggingLog4j1:
		err = add(log4jFile, func(_ string, data []byte) (*xmlpatch.Result, error) {
			res := &xmlpatch.Result{Data: templates.Log4jProperties()}
			if !bytes.Equal(data, res.Data) {
				res.Changes = []string{"console shows time, level and message (amqlab's log4j.properties)"}
			}
			return res, nil
		})
	case exists(filepath.Join(conf, log4j2File)):
		err = add(log4j2File, xmlpatch.PatchLog4j2Console)
	default:
		rep.Warnings = append(rep.Warnings, "no conf/"+log4j2File+": the broker logs with log4j2's defaults, and its console may not show its role")
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

func prefixed(label string, changes []string) []string {
	out := make([]string, len(changes))
	for i, c := range changes {
		out[i] = label + ": " + c
	}
	return out
}

// readForUpdate reads a conf file. A missing file is an error unless
// mayBeMissing (a file amqlab writes whole); then old stays nil.
func readForUpdate(path string, mayBeMissing bool) (fileUpdate, error) {
	u := fileUpdate{path: path, perm: 0o644, label: filepath.Join("conf", filepath.Base(path))}
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && mayBeMissing:
		return u, nil
	case errors.Is(err, fs.ErrNotExist):
		return u, fmt.Errorf("%s is missing; reinstall the broker with 'amqlab install --force'", path)
	case err != nil:
		return u, fmt.Errorf("cannot read %s: %w", path, err)
	case !info.Mode().IsRegular():
		return u, fmt.Errorf("%s is not a regular file; replace it with the release's file", path)
	}
	u.perm = info.Mode().Perm()
	if u.old, err = os.ReadFile(path); err != nil {
		return u, fmt.Errorf("cannot read %s: %w; check its permissions", path, err)
	}
	return u, nil
}

// writeUpdates saves the .orig copies first and then replaces each changed
// file atomically.
func writeUpdates(updates []fileUpdate, rep *ConfigReport) error {
	for _, u := range updates {
		if u.old != nil && !exists(u.path+origSuffix) {
			if err := writeFileAtomic(u.path+origSuffix, u.old, u.perm); err != nil {
				return fmt.Errorf("keep the original of %s: %w", u.path, err)
			}
		}
		if u.old != nil && bytes.Equal(u.old, u.data) {
			continue
		}
		if err := writeFileAtomic(u.path, u.data, u.perm); err != nil {
			return err
		}
		rep.Written = append(rep.Written, u.label)
	}
	return nil
}
