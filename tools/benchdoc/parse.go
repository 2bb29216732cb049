package main

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// result is one benchmark line of `go test -bench` output.
type result struct {
	Pkg     string
	Name    string // without the -GOMAXPROCS suffix
	Iters   int
	Metrics []metric // in the order the benchmark reported them
}

type metric struct {
	Value float64
	Unit  string
}

// header holds the context lines go test prints before a package's results.
type header struct {
	GOOS, GOARCH, CPU string
}

// parse reads go test -bench output. Lines that are not benchmark results
// (logs, PASS, ok …) are skipped.
func parse(r io.Reader) ([]result, header, error) {
	var out []result
	var h header
	pkg := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "pkg: "):
			pkg = strings.TrimPrefix(line, "pkg: ")
		case strings.HasPrefix(line, "goos: "):
			h.GOOS = strings.TrimPrefix(line, "goos: ")
		case strings.HasPrefix(line, "goarch: "):
			h.GOARCH = strings.TrimPrefix(line, "goarch: ")
		case strings.HasPrefix(line, "cpu: "):
			h.CPU = strings.TrimPrefix(line, "cpu: ")
		case strings.HasPrefix(line, "Benchmark"):
			if res, ok := parseLine(pkg, line); ok {
				out = append(out, res)
			}
		}
	}
	return out, h, sc.Err()
}

func parseLine(pkg, line string) (result, bool) {
	f := strings.Fields(line)
	if len(f) < 4 || len(f)%2 != 0 {
		return result{}, false
	}
	iters, err := strconv.Atoi(f[1])
	if err != nil {
		return result{}, false
	}
	res := result{Pkg: pkg, Name: trimProcs(f[0]), Iters: iters}
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return result{}, false
		}
		res.Metrics = append(res.Metrics, metric{v, f[i+1]})
	}
	return res, true
}

// trimProcs drops the "-2" GOMAXPROCS suffix go test appends.
func trimProcs(name string) string {
	i := strings.LastIndexByte(name, '-')
	if i < 0 {
		return name
	}
	if _, err := strconv.Atoi(name[i+1:]); err != nil {
		return name
	}
	return name[:i]
}

func (r result) metric(unit string) (float64, bool) {
	for _, m := range r.Metrics {
		if m.Unit == unit {
			return m.Value, true
		}
	}
	return 0, false
}
