package main

import (
	"strings"
	"testing"
	"time"
)

const sample = `goos: linux
goarch: amd64
pkg: github.com/amqlab/amqlab/cluster
cpu: Some CPU @ 2.00GHz
BenchmarkInstallTarGz-2        	       1	1300000000 ns/op
BenchmarkTarXzfTwice-2         	       1	1000000000 ns/op
BenchmarkFailover/lab-2        	       1	9000000000 ns/op	         0.300 median-s	         0.250 min-s	         0.500 max-s
BenchmarkFailover/stock-2      	       1	90000000000 ns/op	         7.500 median-s	         7.000 min-s	         8.000 max-s
    some log line
PASS
ok  	github.com/amqlab/amqlab/cluster	100.1s
pkg: github.com/amqlab/amqlab/client
BenchmarkSendNative10000-2     	       1	2000000000 ns/op	      5000 msgs/s
`

func TestParse(t *testing.T) {
	res, h, err := parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if h.CPU != "Some CPU @ 2.00GHz" || h.GOOS != "linux" {
		t.Errorf("header = %+v", h)
	}
	if len(res) != 5 {
		t.Fatalf("got %d results, want 5", len(res))
	}
	if res[2].Name != "BenchmarkFailover/lab" || res[2].Pkg != "github.com/amqlab/amqlab/cluster" {
		t.Errorf("result = %+v", res[2])
	}
	if v, ok := res[4].metric("msgs/s"); !ok || v != 5000 {
		t.Errorf("msgs/s = %v, %v", v, ok)
	}
}

func TestRender(t *testing.T) {
	res, h, _ := parse(strings.NewReader(sample))
	doc := render(res, h, "test machine", time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC))
	for _, want := range []string{
		"| BenchmarkFailover/lab | 0.300 | 0.250 | 0.500 |",
		"| install 2 brokers from tar.gz ÷ `tar xzf` twice | 1.30 s | 1.00 s | 1.30 | ≤ 1.3 |",
		"| 0.300 s | 7.50 s | 0.040 |",
		"not run", // the Java producer benchmark is missing from the sample
		"5000 msgs/s",
		"go test -run '^$' -bench '^BenchmarkFailover$' -benchtime 1x ./cluster",
		"test machine",
		"| failover with the lab's lock interval, median (s) | BenchmarkFailover/lab | 0.300 | ≤ 0.500 | yes |",
		"| failover with the lab's lock interval, max (s) | BenchmarkFailover/lab | 0.500 | ≤ 1.00 | yes |",
		"| whole walkthrough, native client (s) | BenchmarkWalkthrough/stomp | not run |",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("report lacks %q:\n%s", want, doc)
		}
	}
}
