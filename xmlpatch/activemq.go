package xmlpatch

import "fmt"

// NoWebConsole ends the change note of a removed web-console <import>, so
// that callers can tell the user once rather than once per broker.
const NoWebConsole = "this ActiveMQ install has no web console"

// Result is a patched file and what the patch changed, in words a user
// reads in the configure step's output.
type Result struct {
	Data     []byte
	Changes  []string // empty when the file already matched
	Warnings []string // things the patch could not do that the user should know
}

// PatchActiveMQ turns an activemq.xml into the configuration of one lab
// broker: the walkthrough's hand edits, made on the structure of the file so
// that any release's stock configuration works. file names the input in
// errors. The input is not modified. Patching the result again with the
// same spec returns identical bytes.
func PatchActiveMQ(file string, data []byte, spec BrokerSpec) (*Result, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	src, err := parseXML(file, data)
	if err != nil {
		return nil, err
	}
	broker, err := findBroker(src)
	if err != nil {
		return nil, err
	}
	ed := newEditor(src)
	if old := broker.SelectAttrValue("brokerName", ""); ed.setAttr(broker, "brokerName", spec.BrokerName) {
		ed.notef("brokerName %s (was %s)", spec.BrokerName, orNone(old))
	}
	if err := patchTransport(ed, broker, spec); err != nil {
		return nil, err
	}
	adapter, err := patchPersistence(ed, broker, spec)
	if err != nil {
		return nil, err
	}
	patchNetwork(ed, broker, adapter, spec)
	if !spec.WebConsole {
		for _, imp := range webConsoleImports(src) {
			ed.removeElement(imp)
			ed.notef(`removed <import resource=%q/>: %s`, imp.SelectAttrValue("resource", ""), NoWebConsole)
		}
	}
	return ed.finish(func(s *source) error {
		st, err := readSettings(s)
		if err != nil {
			return err
		}
		return st.check(spec)
	})
}

// finish applies the edits and reads the result back, so that a patch that
// went wrong on an unusual file is an error and never a file written.
func (ed *editor) finish(check func(*source) error) (*Result, error) {
	out, err := ed.result()
	if err != nil {
		return nil, err
	}
	back, err := parseXML(ed.file, out)
	if err == nil {
		err = check(back)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: the patched file does not read back as planned (%v); the file was left as it is: please report this with the file attached", ed.file, err)
	}
	return &Result{Data: out, Changes: ed.changes}, nil
}
