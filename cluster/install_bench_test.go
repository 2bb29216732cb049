package cluster

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/amqlab/amqlab/internal/distfixture"
)

// The installer's goal is to cost no more than 1.3× what unpacking the
// same archive twice with tar costs. Compare:
//
//	go test -run '^$' -bench 'InstallTarGz|TarXzfTwice' -benchtime 10x ./cluster

// BenchmarkInstallTarGz installs a two-broker lab from a tar.gz.
func BenchmarkInstallTarGz(b *testing.B) {
	archive := distfixture.TarGz(b, distfixture.Home(b))
	base := b.TempDir()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := filepath.Join(base, strconv.Itoa(i))
		lab, err := Create(dir, PlanOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		err = lab.Install(context.Background(), InstallOptions{Dist: archive, Search: []string{}})
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		os.RemoveAll(dir) // keep disk use flat over many iterations
		b.StartTimer()
	}
}

// BenchmarkTarXzfTwice unpacks the same archive twice with tar, as a
// person following the classic walkthrough would.
func BenchmarkTarXzfTwice(b *testing.B) {
	archive := distfixture.TarGz(b, distfixture.Home(b))
	if _, err := exec.LookPath("tar"); err != nil {
		b.Fatalf("the baseline needs tar: %v", err)
	}
	base := b.TempDir()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dir := filepath.Join(base, strconv.Itoa(i))
		for _, name := range []string{"amq61616", "amq61617"} {
			target := filepath.Join(dir, name)
			if err := os.MkdirAll(target, 0o755); err != nil {
				b.Fatal(err)
			}
			out, err := exec.Command("tar", "xzf", archive, "-C", target, "--strip-components=1").CombinedOutput()
			if err != nil {
				b.Fatalf("tar: %v: %s", err, out)
			}
		}
		b.StopTimer()
		os.RemoveAll(dir)
		b.StartTimer()
	}
}
