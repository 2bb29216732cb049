package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amqlab/amqlab/internal/testlab"
)

// benchMessages is the load of the send benchmarks.
const benchMessages = 10000

// BenchmarkSendNative10000 times the built binary running
// 'amqlab send -n 10000 --persistent' against a lab, process start
// included, through the lab's STOMP failover URL.
func BenchmarkSendNative10000(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "amqlab")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	lab := testlab.New(b, testlab.Options{Start: true})
	b.ResetTimer()
	for range b.N {
		out, err := exec.Command(bin, "--dir", lab.Dir(), "--no-color", "send", "-n", "10000", "--persistent").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "sent 10000 of 10000") {
			b.Fatalf("amqlab send: %v\n%s", err, out)
		}
	}
	b.ReportMetric(float64(benchMessages*b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkJavaProducer10000 times the install's own Java producer tool
// sending the same load to the same kind of lab through the OpenWire
// failover URL, JVM start included, the way NOTES and the article run it.
func BenchmarkJavaProducer10000(b *testing.B) {
	lab := testlab.New(b, testlab.Options{Start: true})
	home := lab.Plan().Brokers[0].Home
	args := []string{
		"-Dactivemq.home=" + home, "-jar", filepath.Join(home, "bin", "activemq.jar"), "producer",
		"--brokerUrl", lab.FailoverURL("tcp"),
		"--destination", "queue://test",
		"--messageCount", "10000",
		"--persistent", "true",
	}
	b.ResetTimer()
	for range b.N {
		cmd := exec.Command("java", args...)
		cmd.Dir = b.TempDir()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("java producer: %v\n%s", err, out)
		}
	}
	b.ReportMetric(float64(benchMessages*b.N)/b.Elapsed().Seconds(), "msgs/s")
}
