package cluster

import "testing"

func TestFailoverURL(t *testing.T) {
	tests := []struct {
		name   string
		opts   PlanOptions
		scheme string
		want   string
	}{
		{"openwire defaults", PlanOptions{}, "tcp",
			"failover:(tcp://127.0.0.1:61616,tcp://127.0.0.1:61617)?randomize=false&maxReconnectDelay=1000"},
		{"stomp defaults", PlanOptions{}, "stomp",
			"failover:(stomp://127.0.0.1:61613,stomp://127.0.0.1:62613)?randomize=false&maxReconnectDelay=1000"},
		{"every interface is dialled on loopback", PlanOptions{Host: "0.0.0.0", Brokers: 3, OpenWirePorts: []int{7000}}, "tcp",
			"failover:(tcp://127.0.0.1:7000,tcp://127.0.0.1:7001,tcp://127.0.0.1:7002)?randomize=false&maxReconnectDelay=1000"},
		{"ipv6 host", PlanOptions{Host: "::1"}, "tcp",
			"failover:(tcp://[::1]:61616,tcp://[::1]:61617)?randomize=false&maxReconnectDelay=1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewPlan(t.TempDir(), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			lab := &Lab{state: &State{Plan: p}}
			if got := lab.FailoverURL(tt.scheme); got != tt.want {
				t.Fatalf("FailoverURL(%q) =\n %s\nwant\n %s", tt.scheme, got, tt.want)
			}
		})
	}
}
