package xmlpatch

import (
	"bytes"
	"testing"

	"github.com/beevik/etree"
)

// FuzzPatchActiveMQ: whatever the input, the patcher does not panic, and
// what it returns is XML that etree reads back, configures the planned
// broker and stays the same when patched again.
func FuzzPatchActiveMQ(f *testing.F) {
	for _, rel := range releases(f) {
		f.Add(readConf(f, rel, "activemq.xml"))
	}
	f.Add([]byte(handMade))
	f.Add([]byte(`<broker xmlns="http://activemq.apache.org/schema/core"/>`))
	f.Add([]byte(`<beans><broker><transportConnectors><transportConnector uri="tCp://"/></transportConnectors></broker></beans>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		spec := specA("")
		res, err := PatchActiveMQ("activemq.xml", data, spec)
		if err != nil {
			return
		}
		if err := etree.NewDocument().ReadFromBytes(res.Data); err != nil {
			t.Fatalf("etree cannot read the result back: %v\n%s", err, res.Data)
		}
		assertSettings(t, res.Data, spec)
		again, err := PatchActiveMQ("activemq.xml", res.Data, spec)
		if err != nil {
			t.Fatalf("patching the result fails: %v\n%s", err, res.Data)
		}
		if !bytes.Equal(again.Data, res.Data) {
			t.Fatalf("not idempotent:\n%s", diff(string(res.Data), string(again.Data)))
		}
	})
}
