package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/amqlab/amqlab/templates"
)

// InstallOptions say where ActiveMQ comes from and how to treat brokers
// that are installed already.
type InstallOptions struct {
	// Dist is a .tar.gz/.tgz/.zip, an ActiveMQ home directory, an http(s)
	// URL or a bare version (fetched from the Apache archive). Empty means:
	// $AMQLAB_DIST (only when Search is nil), else what the lab has
	// installed, else the first ActiveMQ home found in Search.
	Dist string
	// SHA512 is the expected digest of the archive; for a URL without it,
	// <URL>.sha512 is fetched.
	SHA512 string
	// Force reinstalls brokers that are installed; their data/ is kept
	// and an edited conf/ is backed up to conf.bak-<time>.
	Force bool
	// Wipe, with Force, also empties every broker's data/ and the shared store.
	Wipe     bool
	Reporter Reporter
	// CacheDir holds downloads; default DefaultCacheDir().
	CacheDir string
	// Search lists ActiveMQ homes to try; nil means DefaultSearch().
	Search []string
}

// Install makes one full, self-contained ActiveMQ home per planned broker,
// as if the distribution were unpacked once for each, and records what was
// installed. Installed brokers are left alone unless o.Force. Each home is
// built in a temporary directory beside it and renamed into place, so an
// error never leaves half a broker behind.
func (l *Lab) Install(ctx context.Context, o InstallOptions) error {
	rep := reporterOrQuiet(o.Reporter)
	if o.Wipe && !o.Force {
		return errors.New("--wipe deletes the brokers' data and the shared store during a reinstall; add --force to reinstall")
	}
	done := rep.Step("Resolve distribution")
	src, err := l.chooseSource(o)
	done(err)
	if err != nil {
		return err
	}
	rep.Info(fmt.Sprintf("distribution: %s (%s)", src, src.kind))
	targets, err := l.installTargets(src, o, rep)
	if err != nil {
		return err
	}
	if len(targets) == 0 {
		return l.recordInstalled(src)
	}
	local, err := l.fetchSource(ctx, src, o, rep)
	if err != nil {
		return err
	}
	homes := make([]string, len(targets))
	for i, b := range targets {
		homes[i] = b.Home
	}
	st, err := newStage(homes)
	if err != nil {
		return err
	}
	defer st.discard() // what was renamed into place is no longer there
	d, err := l.fill(ctx, src, local, st, targets, rep)
	if err != nil {
		return err
	}
	if err := l.checkSameVersion(d, o.Force); err != nil {
		return err
	}
	st.close()
	stamp := time.Now().Format("20060102-150405")
	for i, b := range targets {
		done := rep.Step("Install " + b.Name)
		backup, err := placeHome(st.dirs[i], b.Home, !o.Wipe, stamp)
		done(err)
		if err != nil {
			return fmt.Errorf("install %s: %w", b.Name, err)
		}
		if backup != "" {
			rep.Warn(fmt.Sprintf("%s: the previous conf/ differed from the new one and was kept as %s", b.Name, backup))
		}
	}
	if err := l.prepareStore(o.Wipe, rep); err != nil {
		return err
	}
	l.state.Dist = d
	return l.save()
}

// chooseSource resolves the distribution to install.
func (l *Lab) chooseSource(o InstallOptions) (source, error) {
	spec := o.Dist
	if spec == "" && o.Search == nil {
		spec = os.Getenv("AMQLAB_DIST")
	}
	if spec == "" && l.state.Dist != nil {
		return recordedSource(l.state.Dist), nil
	}
	if spec == "" {
		search := o.Search
		if search == nil {
			search = DefaultSearch()
		}
		var err error
		if spec, err = findInstalled(search); err != nil {
			return source{}, err
		}
	}
	return resolveSource(spec)
}

// installTargets picks the brokers to (re)install and refuses what would
// mix distributions or pull files from under a running broker.
func (l *Lab) installTargets(src source, o InstallOptions, rep Reporter) ([]BrokerPlan, error) {
	var targets, installed []BrokerPlan
	for _, b := range l.Plan().Brokers {
		if exists(filepath.Join(b.Home, activemqJar)) {
			installed = append(installed, b)
			if !o.Force {
				rep.Info(b.Name + " is installed; its conf and data are left as they are ('--force' reinstalls)")
				continue
			}
			if r, err := readRun(l.Dir(), b.Name); err == nil && r.alive() {
				return nil, fmt.Errorf("%s is running (pid %d); stop the lab with 'amqlab down' before reinstalling it", b.Name, r.Pid)
			}
		}
		targets = append(targets, b)
	}
	if d := l.state.Dist; d != nil && len(installed) > 0 && !o.Force {
		if rec := recordedSource(d); rec.identity() != src.identity() {
			return nil, fmt.Errorf("the lab has ActiveMQ %s from %s installed, not %s; reinstall every broker with '--force' (data is kept) or use another --dir", d.Version, rec, src)
		}
	}
	if o.Wipe {
		if err := checkStoreUnlocked(l.Plan().Store); err != nil {
			return nil, err
		}
	}
	return targets, nil
}

// recordInstalled makes sure a lab whose brokers are all installed has its
// distribution recorded, which an install cut short before its last step
// would have missed.
func (l *Lab) recordInstalled(src source) error {
	if l.state.Dist != nil {
		return nil
	}
	described := l.Plan().Brokers[0].Home
	if src.kind == KindDirectory {
		described = src.path // the install has a conf/ even when the source has none
	}
	d, err := Inspect(described)
	if err != nil {
		return err
	}
	d.Source, d.Kind, d.Path = src.spec, src.kind, src.path
	l.state.Dist = d
	return l.save()
}

// checkSameVersion keeps a lab from mixing versions when only some brokers
// are installed now, for example after adding a broker to the plan.
func (l *Lab) checkSameVersion(d *Distribution, force bool) error {
	if old := l.state.Dist; old != nil && !force && old.Version != d.Version {
		return fmt.Errorf("the lab's brokers run ActiveMQ %s but %s holds %s; reinstall every broker with '--force'", old.Version, d.Path, d.Version)
	}
	return nil
}

// checkStoreUnlocked refuses to wipe a store that a broker has locked.
func checkStoreUnlocked(store string) error {
	pid, err := lockHolder(procRoot, filepath.Join(store, "lock"))
	if err != nil {
		return err
	}
	if pid != 0 {
		return fmt.Errorf("process %d holds the lock of the store %s (a running broker); stop the lab with 'amqlab down' before --wipe", pid, store)
	}
	return nil
}

// fetchSource returns the local archive or directory to install from,
// downloading and verifying as needed. The archive's digest is recorded
// later, from the pass that unpacks it.
func (l *Lab) fetchSource(ctx context.Context, src source, o InstallOptions, rep Reporter) (string, error) {
	switch src.kind {
	case KindURL:
		cache := o.CacheDir
		if cache == "" {
			var err error
			if cache, err = DefaultCacheDir(); err != nil {
				return "", err
			}
		}
		file, _, err := fetcher{cache: cache, rep: rep}.fetch(ctx, src.url, o.SHA512)
		return file, err
	case KindDirectory:
		if o.SHA512 != "" {
			return "", fmt.Errorf("--sha512 checks an archive, but %s is a directory; drop --sha512 or give the archive", src.path)
		}
		return src.path, nil
	default:
		if o.SHA512 == "" {
			return src.path, nil
		}
		want, err := normalizeSHA512(o.SHA512)
		if err != nil {
			return "", fmt.Errorf("--sha512: %w", err)
		}
		done := rep.Step("Verify checksum")
		got, err := fileSHA512(src.path)
		if err == nil {
			err = compareSHA512(src.path, want, got)
		}
		done(err)
		return src.path, err
	}
}

// fill writes the distribution into every stage directory and inspects it.
func (l *Lab) fill(ctx context.Context, src source, local string, st *stage, targets []BrokerPlan, rep Reporter) (*Distribution, error) {
	names := make([]string, len(targets))
	for i, b := range targets {
		names[i] = b.Name
	}
	into := strings.Join(names, ", ")
	var d *Distribution
	var sum string
	var err error
	if src.kind == KindDirectory {
		if d, err = Inspect(local); err != nil {
			return nil, err
		}
		done := rep.Step(fmt.Sprintf("Copy %s into %s", local, into))
		err = copyTree(ctx, local, st, rep)
		done(err)
	} else {
		done := rep.Step(fmt.Sprintf("Unpack %s into %s", filepath.Base(local), into))
		sum, err = extractArchive(ctx, local, st)
		if err == nil && !exists(filepath.Join(st.dirs[0], activemqJar)) {
			err = fmt.Errorf("%s is not an ActiveMQ distribution: it has no %s under its top directory; %s", local, activemqJar, distHelp)
		}
		if err == nil {
			d, err = Inspect(st.dirs[0])
		}
		done(err)
	}
	if err != nil {
		return nil, err
	}
	d.Source, d.Kind, d.Path, d.SHA512 = src.spec, src.kind, local, sum
	rep.Info(describeDist(d))
	if err := st.mkdir("data", 0o755); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	if !d.HasConf {
		if err := writeStockConf(st, d, rep); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// writeStockConf gives a distribution without conf/ (Debian's) the stock
// configuration a broker starts with.
func writeStockConf(st *stage, d *Distribution, rep Reporter) error {
	files := map[string][]byte{"activemq.xml": templates.ActiveMQXML()}
	if d.Logging == LoggingLog4j1 {
		files["log4j.properties"] = templates.Log4jProperties()
	}
	rep.Info("the distribution has no conf/; using amqlab's stock configuration")
	for name, data := range files {
		if err := st.writeFile("conf/"+name, 0o644, bytes.NewReader(data)); err != nil {
			return fmt.Errorf("write stock conf/%s: %w", name, err)
		}
	}
	return nil
}

func describeDist(d *Distribution) string {
	web := "no web console"
	if d.WebConsole {
		web = "web console"
	}
	protocols := "openwire"
	if len(d.Protocols) > 0 {
		protocols += ", " + strings.Join(d.Protocols, ", ")
	}
	return fmt.Sprintf("ActiveMQ %s: %s logging, %s, protocols %s, needs Java %d+", d.Version, d.Logging, web, protocols, d.MinJava)
}

// prepareStore creates the shared store directory, emptying it first when
// wipe is set.
func (l *Lab) prepareStore(wipe bool, rep Reporter) error {
	store := l.Plan().Store
	if wipe {
		if err := refuseWideWipe(store, l.Dir()); err != nil {
			return err
		}
		done := rep.Step("Wipe shared store " + store)
		err := os.RemoveAll(store)
		done(err)
		if err != nil {
			return fmt.Errorf("wipe store: %w", err)
		}
	}
	if err := os.MkdirAll(store, 0o755); err != nil {
		return fmt.Errorf("create the shared store %s: %w; choose another with --store", store, err)
	}
	return nil
}

// refuseWideWipe keeps a mistaken --store (such as / or a parent of the
// lab) from being deleted.
func refuseWideWipe(store, lab string) error {
	rel, err := filepath.Rel(store, lab)
	if store == "/" || err == nil && (rel == "." || !strings.HasPrefix(rel, "..")) {
		return fmt.Errorf("refusing to wipe %s: it contains the lab directory; give the lab a store of its own with --store", store)
	}
	return nil
}

// placeHome moves a filled stage directory to home. An existing home hands
// over its data/ (when keepData) and its earlier conf backups; its conf/
// is kept as conf.bak-<stamp> when it differs from the new one. Every move
// is undone if a later one fails. It returns the backup's name, if any.
func placeHome(stageDir, home string, keepData bool, stamp string) (backup string, err error) {
	if _, err := os.Lstat(home); isNotExist(err) {
		return "", os.Rename(stageDir, home)
	}
	var undo []func()
	defer func() {
		if err != nil {
			for i := len(undo) - 1; i >= 0; i-- {
				undo[i]()
			}
		}
	}()
	move := func(from, to string) error {
		if err := os.Rename(from, to); err != nil {
			return err
		}
		undo = append(undo, func() { os.Rename(to, from) })
		return nil
	}
	if keepData && exists(filepath.Join(home, "data")) {
		if err := os.RemoveAll(filepath.Join(stageDir, "data")); err != nil {
			return "", err
		}
		if err := move(filepath.Join(home, "data"), filepath.Join(stageDir, "data")); err != nil {
			return "", err
		}
	}
	olds, _ := filepath.Glob(filepath.Join(home, "conf.bak-*"))
	for _, old := range olds {
		if err := move(old, filepath.Join(stageDir, filepath.Base(old))); err != nil {
			return "", err
		}
	}
	oldConf := filepath.Join(home, "conf")
	if same, err := sameTree(oldConf, filepath.Join(stageDir, "conf")); err != nil {
		return "", err
	} else if !same && exists(oldConf) {
		backup = "conf.bak-" + stamp
		if err := move(oldConf, filepath.Join(stageDir, backup)); err != nil {
			return "", err
		}
	}
	trash, err := os.MkdirTemp(filepath.Dir(home), "."+filepath.Base(home)+".old-*")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(trash)
	if err := move(home, filepath.Join(trash, filepath.Base(home))); err != nil {
		return "", err
	}
	if err := move(stageDir, home); err != nil {
		return "", err
	}
	return backup, nil
}

// sameTree reports whether two directories hold the same files with the
// same contents. A missing directory equals only another missing one.
func sameTree(a, b string) (bool, error) {
	filesA, err := treeFiles(a)
	if err != nil {
		return false, err
	}
	filesB, err := treeFiles(b)
	if err != nil {
		return false, err
	}
	if len(filesA) != len(filesB) {
		return false, nil
	}
	for rel, dataA := range filesA {
		dataB, ok := filesB[rel]
		if !ok || !bytes.Equal(dataA, dataB) {
			return false, nil
		}
	}
	return true, nil
}

// treeFiles reads every regular file under dir (conf directories are small).
func treeFiles(dir string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if p == dir && isNotExist(err) {
				return fs.SkipAll
			}
			return err
		}
		if !e.Type().IsRegular() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		files[rel] = data
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("compare conf %s: %w", dir, err)
	}
	return files, nil
}
