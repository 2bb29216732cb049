package cluster_test

import (
	"context"
	"math/rand/v2"
	"net"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/amqlab/amqlab/cluster"
	"github.com/amqlab/amqlab/internal/distfixture"
	"github.com/amqlab/amqlab/internal/testlab"
)

// failoverRounds is how many times one benchmark run kills the master.
const failoverRounds = 10

// stockLockInterval is ActiveMQ's own lockAcquireSleepInterval.
const stockLockInterval = 10000

// BenchmarkFailover measures SIGKILL of the master until the next master
// accepts TCP connections on its OpenWire port, with the lab's default
// lock interval and with ActiveMQ's stock 10 s, in the same run. After each
// round the killed broker is started again (as slave) and the lab settles
// before the next kill, at a random point of the slaves' retry cycle; only
// kill-to-connect is timed.
func BenchmarkFailover(b *testing.B) {
	for _, c := range []struct {
		name     string
		interval int
	}{
		{"lab", cluster.DefaultLockInterval},
		{"stock", stockLockInterval},
	} {
		b.Run(c.name, func(b *testing.B) {
			lab := testlab.New(b, testlab.Options{Brokers: 2, Start: true, LockInterval: c.interval})
			b.ResetTimer()
			var samples []time.Duration
			for range b.N {
				for range failoverRounds {
					samples = append(samples, failoverRound(b, lab))
				}
			}
			reportSpread(b, samples)
		})
	}
}

// failoverRound kills the master, times the takeover and restores the lab.
func failoverRound(b *testing.B, lab *cluster.Lab) time.Duration {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b.StopTimer()
	master, err := lab.WaitMaster(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var others []string
	for _, p := range lab.Plan().Brokers {
		if p.Name != master {
			others = append(others, net.JoinHostPort("127.0.0.1", strconv.Itoa(p.OpenWirePort)))
		}
	}
	// A crash comes at any moment of a slave's retry cycle. Right after the
	// lab settles, the restarted slave has only just tried the lock, so
	// killing at once would always measure a full interval; a random pause
	// gives the kill a random phase.
	interval := time.Duration(lab.Plan().LockInterval) * time.Millisecond
	time.Sleep(rand.N(interval))
	b.StartTimer()
	start := time.Now()
	accepted := make(chan time.Time, 1)
	go func() { accepted <- firstAccept(ctx, others) }()
	if err := lab.Kill(ctx, master); err != nil {
		b.Fatal(err)
	}
	at := <-accepted
	b.StopTimer()
	if at.IsZero() {
		b.Fatalf("no broker accepted connections after %s was killed", master)
	}
	if err := lab.Start(ctx, cluster.StartOptions{Brokers: []string{master}}); err != nil {
		b.Fatal(err)
	}
	if _, err := lab.WaitSettled(ctx); err != nil {
		b.Fatal(err)
	}
	b.StartTimer()
	return at.Sub(start)
}

// firstAccept dials the addresses in turn until one accepts, and returns
// when; the zero time when ctx ends first.
func firstAccept(ctx context.Context, addrs []string) time.Time {
	d := net.Dialer{Timeout: 100 * time.Millisecond}
	for ctx.Err() == nil {
		for _, a := range addrs {
			if c, err := d.DialContext(ctx, "tcp", a); err == nil {
				c.Close()
				return time.Now()
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Time{}
}

// reportSpread reports median, min and max of the samples in seconds.
func reportSpread(b *testing.B, samples []time.Duration) {
	slices.Sort(samples)
	b.ReportMetric(samples[len(samples)/2].Seconds(), "median-s")
	b.ReportMetric(samples[0].Seconds(), "min-s")
	b.ReportMetric(samples[len(samples)-1].Seconds(), "max-s")
}

// upRounds is how many times one run of an up benchmark starts a lab.
const upRounds = 5

// BenchmarkUpInstalled times starting an installed two-broker lab until its
// roles settle: the first broker alone until it holds the lock, then the
// second until it logs that it waits as slave.
func BenchmarkUpInstalled(b *testing.B) {
	lab := testlab.New(b, testlab.Options{Brokers: 2})
	var samples []time.Duration
	b.ResetTimer()
	for range b.N {
		for range upRounds {
			samples = append(samples, timeUp(b, lab))
		}
	}
	reportSpread(b, samples)
}

// BenchmarkUpFromTarGz times the whole way from a release archive to a
// settled two-broker lab: install, configure, start.
func BenchmarkUpFromTarGz(b *testing.B) {
	archive := distfixture.TarGz(b, testlab.RequireActiveMQ(b))
	var samples []time.Duration
	b.ResetTimer()
	for range b.N {
		for range upRounds {
			b.StopTimer()
			lab := testlab.Create(b, testlab.Options{Brokers: 2})
			b.StartTimer()
			start := time.Now()
			testlab.Install(b, lab, archive)
			samples = append(samples, time.Since(start)+timeUp(b, lab))
			b.StopTimer()
			if err := os.RemoveAll(lab.Dir()); err != nil { // keep disk use flat
				b.Fatal(err)
			}
			b.StartTimer()
		}
	}
	reportSpread(b, samples)
}

// timeUp starts the lab, waits for its roles and stops it again; only the
// start is timed.
func timeUp(b *testing.B, lab *cluster.Lab) time.Duration {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	if err := lab.Start(ctx, cluster.StartOptions{}); err != nil {
		b.Fatal(err)
	}
	if _, err := lab.WaitSettled(ctx); err != nil {
		b.Fatal(err)
	}
	took := time.Since(start)
	b.StopTimer()
	if err := lab.Down(ctx, 0); err != nil {
		b.Fatal(err)
	}
	b.StartTimer()
	return took
}
