package cluster

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestNewPlanPorts(t *testing.T) {
	dir := t.TempDir()
	type ports struct{ ow, stomp, web []int }
	cases := []struct {
		name    string
		opts    PlanOptions
		want    ports
		names   []string
		wantErr string
	}{
		{name: "defaults", opts: PlanOptions{},
			want:  ports{[]int{61616, 61617}, []int{61613, 62613}, []int{8161, 9161}},
			names: []string{"amq61616", "amq61617"}},
		{name: "three brokers", opts: PlanOptions{Brokers: 3},
			want:  ports{[]int{61616, 61617, 61618}, []int{61613, 62613, 63613}, []int{8161, 9161, 10161}},
			names: []string{"amq61616", "amq61617", "amq61618"}},
		{name: "base port", opts: PlanOptions{OpenWirePorts: []int{7000}},
			want:  ports{[]int{7000, 7001}, []int{61613, 62613}, []int{8161, 9161}},
			names: []string{"amq7000", "amq7001"}},
		{name: "explicit lists", opts: PlanOptions{OpenWirePorts: []int{5001, 5003}, StompPorts: []int{6001, 6003}, WebPorts: []int{7001, 7003}},
			want:  ports{[]int{5001, 5003}, []int{6001, 6003}, []int{7001, 7003}},
			names: []string{"amq5001", "amq5003"}},
		{name: "no stomp", opts: PlanOptions{NoStomp: true},
			want:  ports{[]int{61616, 61617}, []int{0, 0}, []int{8161, 9161}},
			names: []string{"amq61616", "amq61617"}},
		{name: "one broker", opts: PlanOptions{Brokers: 1}, wantErr: "at least 2"},
		{name: "wrong list length", opts: PlanOptions{Brokers: 3, WebPorts: []int{1, 2}}, wantErr: "got 2 ports for 3 brokers"},
		{name: "port overflow", opts: PlanOptions{Brokers: 6}, wantErr: "outside 1-65535"},
		{name: "collision", opts: PlanOptions{OpenWirePorts: []int{61612}}, wantErr: "planned twice"},
		{name: "negative interval", opts: PlanOptions{LockInterval: -1}, wantErr: "negative"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewPlan(dir, tc.opts)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got ports
			var names []string
			for _, b := range p.Brokers {
				got.ow = append(got.ow, b.OpenWirePort)
				got.stomp = append(got.stomp, b.StompPort)
				got.web = append(got.web, b.WebPort)
				names = append(names, b.Name)
				if b.Home != filepath.Join(dir, b.Name) {
					t.Errorf("home of %s = %s", b.Name, b.Home)
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ports = %+v, want %+v", got, tc.want)
			}
			if !reflect.DeepEqual(names, tc.names) {
				t.Errorf("names = %v, want %v", names, tc.names)
			}
		})
	}
}

func TestNewPlanDefaults(t *testing.T) {
	dir := t.TempDir()
	p, err := NewPlan(dir, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Host != "127.0.0.1" {
		t.Errorf("host = %q, a lab must listen on loopback by default", p.Host)
	}
	if p.Store != filepath.Join(dir, "store") {
		t.Errorf("store = %q", p.Store)
	}
	if p.LockInterval != DefaultLockInterval || !p.Stomp || !p.NetworkConnectors {
		t.Errorf("unexpected defaults: %+v", p)
	}
}

func TestOptionsFromPlanRoundTrip(t *testing.T) {
	dir := t.TempDir()
	orig, err := NewPlan(dir, PlanOptions{Brokers: 3, OpenWirePorts: []int{7000}, Store: filepath.Join(dir, "s"), LockInterval: 500, NoNetworkConnectors: true})
	if err != nil {
		t.Fatal(err)
	}
	again, err := NewPlan(dir, OptionsFromPlan(orig))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(orig, again) {
		t.Errorf("plan changed on round trip:\n%+v\n%+v", orig, again)
	}
}

func TestStateRoundTripAndCreate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lab")
	if _, err := Open(dir); err == nil {
		t.Fatal("Open of an empty directory succeeded")
	}
	l, err := Create(dir, PlanOptions{Brokers: 3})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Create(dir, PlanOptions{}); err == nil {
		t.Fatal("Create over an existing lab succeeded")
	}
	back, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(l.Plan(), back.Plan()) {
		t.Errorf("plan changed on save/load")
	}
}
