package xmlpatch

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden from the current patcher")

// TestGolden pins the exact bytes of every patched stock file, so that any
// change in what the patcher writes shows up in review as a golden diff.
func TestGolden(t *testing.T) {
	web := WebSpec{Host: "127.0.0.1", Port: 9161}
	for _, rel := range releases(t) {
		t.Run(rel, func(t *testing.T) {
			patchers := map[string]func([]byte) (*Result, error){
				"activemq.xml": func(b []byte) (*Result, error) { return PatchActiveMQ("activemq.xml", b, specA(rel)) },
				JettyXML:       func(b []byte) (*Result, error) { return PatchJettyXML(JettyXML, b, web) },
				JettySpringProps: func(b []byte) (*Result, error) {
					return PatchJettySpring(JettySpringProps, b, web)
				},
				"log4j2.properties": func(b []byte) (*Result, error) { return PatchLog4j2Console("log4j2.properties", b) },
			}
			for file, patchFile := range patchers {
				if !hasConf(rel, file) {
					continue
				}
				res, err := patchFile(readConf(t, rel, file))
				if err != nil {
					t.Fatal(err)
				}
				golden := filepath.Join("testdata", "golden", rel, file)
				if *update {
					if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, res.Data, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run 'go test ./xmlpatch -run TestGolden -update' to create it)", err)
				}
				if !bytes.Equal(res.Data, want) {
					t.Errorf("%s differs from %s; review the change and run with -update if it is intended", file, golden)
				}
			}
		})
	}
}
