package cluster

import (
	"os"
	"reflect"
	"testing"
	"time"
)

func TestWatcherReportsTransitions(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(runDir(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	lab := &Lab{state: &State{Plan: &Plan{Dir: dir}}}
	w := watcher{lab: lab, prev: map[string]BrokerStatus{}, pending: map[string]pendingExit{}}
	code1 := 1
	stopped := func(n string) BrokerStatus { return BrokerStatus{Name: n, Role: RoleStopped} }
	running := func(n string, pid int, r Role) BrokerStatus { return BrokerStatus{Name: n, Pid: pid, Role: r} }
	t0 := time.Now()
	steps := []struct {
		name   string
		at     time.Duration
		before func()
		state  []BrokerStatus
		want   []string
	}{
		{"all stopped", 0, nil, []BrokerStatus{stopped("a"), stopped("b")}, nil},
		{"a launched", 1, nil, []BrokerStatus{running("a", 10, RoleStarting), stopped("b")}, []string{"a started (pid 10)"}},
		{"a master", 2, nil, []BrokerStatus{running("a", 10, RoleMaster), stopped("b")},
			[]string{"a became master: holds the store lock and accepts connections", "a roles settled: a is master"}},
		{"b slave at once", 3, nil, []BrokerStatus{running("a", 10, RoleMaster), running("b", 11, RoleSlave)},
			[]string{"b started (pid 11)", "b is slave: waiting for the store lock"}},
		{"a gone, code not known yet", 4, nil, []BrokerStatus{stopped("a"), running("b", 11, RoleStarting)}, nil},
		{"a's code recorded", 5, func() {
			_ = writeJSON(exitPath(dir, "a"), &exitRecord{Pid: 10, Code: 137, Signal: "SIGKILL"})
		}, []BrokerStatus{stopped("a"), running("b", 11, RoleMaster)},
			[]string{"a exited with code 137 (SIGKILL)", "b became master: holds the store lock and accepts connections", "b roles settled: b is master"}},
		{"a relaunched and fails", 6, nil, []BrokerStatus{running("a", 12, RoleStarting), running("b", 11, RoleMaster)}, []string{"a started (pid 12)"}},
		// settled again with the same master: nothing new to report
		{"a failed", 7, nil, []BrokerStatus{{Name: "a", Role: RoleFailed, ExitCode: &code1, LastLines: []string{"boom"}}, running("b", 11, RoleMaster)},
			[]string{"a failed to start with code 1: boom"}},
		{"b stopped, no code ever", 8, nil, []BrokerStatus{{Name: "a", Role: RoleFailed}, stopped("b")}, nil},
		{"grace over", 8*time.Second + exitGrace, nil, []BrokerStatus{{Name: "a", Role: RoleFailed}, stopped("b")}, []string{"b exited"}},
	}
	for _, st := range steps {
		if st.before != nil {
			st.before()
		}
		var got []string
		w.compare(st.state, t0.Add(st.at), func(e Event) { got = append(got, e.Broker+" "+e.String()) })
		if !reflect.DeepEqual(got, st.want) {
			t.Errorf("%s: events %q, want %q", st.name, got, st.want)
		}
	}
}
