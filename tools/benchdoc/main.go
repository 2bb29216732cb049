// Command benchdoc turns `go test -bench` output into docs/benchmarks.md, so
// the published numbers always come from a run and never from hand.
//
//	go test -run '^$' -bench . ./... | go run ./tools/benchdoc -o docs/benchmarks.md
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

func main() {
	out := flag.String("o", "", "write the report to this file instead of stdout")
	flag.Parse()
	if err := run(os.Stdin, *out); err != nil {
		fmt.Fprintln(os.Stderr, "benchdoc:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, outPath string) error {
	// Echo the raw output so whoever runs `make bench` still sees it.
	var raw bytes.Buffer
	results, h, err := parse(io.TeeReader(in, io.MultiWriter(&raw, os.Stderr)))
	if err != nil {
		return err
	}
	if len(results) == 0 {
		return fmt.Errorf("no benchmark results in the input")
	}
	doc := render(results, h, machine(h), time.Now())
	if outPath == "" {
		_, err = os.Stdout.WriteString(doc)
		return err
	}
	return os.WriteFile(outPath, []byte(doc), 0o644)
}

// machine describes where the numbers were measured.
func machine(h header) string {
	var parts []string
	if h.CPU != "" {
		parts = append(parts, h.CPU)
	}
	parts = append(parts, fmt.Sprintf("%d cores", runtime.NumCPU()))
	if mem := memTotal(); mem != "" {
		parts = append(parts, mem+" memory")
	}
	parts = append(parts, runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH)
	if j := javaVersion(); j != "" {
		parts = append(parts, j)
	}
	return strings.Join(parts, ", ")
}

func memTotal() string {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "MemTotal:" {
			var kb float64
			fmt.Sscan(f[1], &kb)
			return fmt.Sprintf("%.0f GiB", kb/1024/1024)
		}
	}
	return ""
}

func javaVersion() string {
	out, err := exec.Command("java", "-version").CombinedOutput()
	if err != nil {
		return ""
	}
	first, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(first)
}
