package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/amqlab/amqlab/cluster"
)

func init() { register(newInstallCmd) }

func newInstallCmd(a *app) *cobra.Command {
	var o cluster.InstallOptions
	var dryRun, asJSON bool
	var pf *planFlags
	cmd := &cobra.Command{
		Use:   "install",
		Short: "Install one full ActiveMQ home per broker and configure it for the lab",
		Long: `Install ActiveMQ into the lab: every broker gets a complete, self-contained ActiveMQ
home of its own (<lab>/amq61616, <lab>/amq61617, …) with its own conf/ and data/, as if
the distribution had been unpacked once per broker. Then each broker's configuration
is set up for the plan: ports, listen host, the shared KahaDB store.

--dist takes a .tar.gz/.tgz/.zip in the upstream layout, an ActiveMQ home directory
(Debian's /usr/share/activemq works: its links are copied as files), an http(s) URL
(downloaded once into $XDG_CACHE_HOME/amqlab or ~/.cache/amqlab and checked against
<URL>.sha512 or --sha512) or a bare version such as 5.18.6 (from the Apache release
archive). Without --dist: $AMQLAB_DIST, then what the lab already has, then an
installed ActiveMQ ($ACTIVEMQ_HOME, /usr/share/activemq, /opt/activemq).

Running it again leaves installed brokers as they are. --force reinstalls them,
keeping data/ and backing up an edited conf/ to conf.bak-<time>; add --wipe to empty
data/ and the shared store as well. Nothing is left half-done: each home is built
beside its place and renamed into it.`,
		Example: `  amqlab install                                  # from the installed ActiveMQ
  amqlab install --dist ~/Downloads/apache-activemq-5.18.6-bin.tar.gz
  amqlab install --dist 5.18.6 --brokers 3
  amqlab install --dry-run --json                 # the plan, nothing written
  amqlab install --force --wipe                   # start over with empty stores`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Wipe && !o.Force {
				return usageError{fmt.Errorf("--wipe only goes with --force")}
			}
			if dryRun {
				return a.showPreview(cmd, pf, asJSON)
			}
			lab, err := a.setUpLab(cmd, pf, o)
			if err != nil {
				return err
			}
			if asJSON {
				return a.printJSON(struct {
					Plan *cluster.Plan         `json:"plan"`
					Dist *cluster.Distribution `json:"dist"`
				}{lab.Plan(), lab.Dist()})
			}
			d := lab.Dist()
			fmt.Fprintf(a.out, "ActiveMQ %s from %s\n", d.Version, d.Source)
			a.printPlan(lab.Plan())
			return nil
		},
	}
	pf = addPlanFlags(cmd)
	f := cmd.Flags()
	addDistFlags(cmd, &o)
	f.BoolVar(&o.Force, "force", false, "reinstall brokers that are installed (data/ is kept)")
	f.BoolVar(&o.Wipe, "wipe", false, "with --force: also empty every broker's data/ and the shared store")
	f.BoolVar(&dryRun, "dry-run", false, "print the plan and write nothing")
	f.BoolVar(&asJSON, "json", false, "print the plan (and the installed distribution) as JSON")
	return cmd
}

// addDistFlags binds the flags that choose the distribution; install and up share them.
func addDistFlags(cmd *cobra.Command, o *cluster.InstallOptions) {
	f := cmd.Flags()
	f.StringVar(&o.Dist, "dist", "", "ActiveMQ archive, home directory, http(s) URL or version (env AMQLAB_DIST)")
	f.StringVar(&o.SHA512, "sha512", "", "expected SHA-512 of the archive (default: read <URL>.sha512)")
}

// allInstalled reports whether every planned broker has an ActiveMQ home.
func allInstalled(lab *cluster.Lab) bool {
	for _, b := range lab.Plan().Brokers {
		if _, err := os.Stat(filepath.Join(b.Home, "bin", "activemq.jar")); err != nil {
			return false
		}
	}
	return true
}

// showPreview prints the plan the command line describes, writing nothing.
func (a *app) showPreview(cmd *cobra.Command, pf *planFlags, asJSON bool) error {
	plan, err := a.previewPlan(cmd, pf)
	if err != nil {
		return err
	}
	if asJSON {
		return a.printJSON(plan)
	}
	a.printPlan(plan)
	return nil
}
