package cluster

import "testing"

func TestWithFreePortsGivesAPlanOfDistinctPorts(t *testing.T) {
	opts, err := WithFreePorts(PlanOptions{Brokers: 3})
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPlan(t.TempDir(), opts)
	if err != nil {
		t.Fatalf("plan from free ports: %v", err) // NewPlan rejects a port planned twice
	}
	if got := len(p.Ports()); got != 9 {
		t.Fatalf("%d ports planned, want 9", got)
	}
	for _, pp := range p.Ports() {
		if pp.Port < 1024 {
			t.Errorf("%s %s got port %d", pp.Broker, pp.Use, pp.Port)
		}
	}
}
