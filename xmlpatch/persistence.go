package xmlpatch

import (
	"strconv"

	"github.com/beevik/etree"
)

// storeKinds names the persistence adapters a shared-file lab cannot use,
// for an error message a user recognises.
var storeKinds = map[string]string{
	"jdbcPersistenceAdapter":    "JDBC",
	"journalPersistenceAdapter": "journaled JDBC",
	"levelDB":                   "LevelDB",
	"leveldb":                   "LevelDB",
	"replicatedLevelDB":         "replicated LevelDB",
	"memoryPersistenceAdapter":  "in-memory",
	"mKahaDB":                   "multi-KahaDB (mKahaDB)",
	"amqPersistenceAdapter":     "AMQ journal",
	"kahaPersistenceAdapter":    "old Kaha",
}

// patchPersistence points the broker's KahaDB store at the shared directory
// and sets the shared-file locker. It returns the <persistenceAdapter>
// element (nil when it had to be added), after which the network connectors
// go, as in the walkthrough.
func patchPersistence(ed *editor, broker *etree.Element, spec BrokerSpec) (*etree.Element, error) {
	if broker.SelectAttrValue("persistent", "") == "false" {
		return nil, configErrorf(ed.file, `<broker persistent="false"> keeps messages in memory, but master-slave failover needs the shared KahaDB store; remove the persistent attribute`)
	}
	if ref := broker.SelectAttrValue("persistenceAdapter", ""); ref != "" {
		return nil, configErrorf(ed.file, `<broker persistenceAdapter=%q> refers to a store bean amqlab cannot edit; declare the store as <persistenceAdapter><kahaDB …/></persistenceAdapter> inside <broker>`, ref)
	}
	adapters := childrenNamed(broker, "persistenceAdapter")
	if len(adapters) > 1 {
		return nil, configErrorf(ed.file, "<broker> has %d <persistenceAdapter> elements; keep one", len(adapters))
	}
	kahaDB := newNode(sameSpace(broker, "kahaDB"), kahaDBAttrs(spec)...).add(lockerNode(broker, spec))
	if len(adapters) == 0 {
		ed.appendChild(broker, newNode(sameSpace(broker, "persistenceAdapter")).add(kahaDB))
		ed.notef("added a KahaDB store in %s", spec.StoreDir)
		return nil, nil
	}
	pa := adapters[0]
	stores := pa.ChildElements()
	switch {
	case len(stores) == 0:
		ed.appendChild(pa, kahaDB)
		ed.notef("added a KahaDB store in %s", spec.StoreDir)
		return pa, nil
	case len(stores) > 1:
		return nil, configErrorf(ed.file, "<persistenceAdapter> holds %d stores; a lab broker uses exactly one <kahaDB>", len(stores))
	case stores[0].Tag != "kahaDB":
		kind := storeKinds[stores[0].Tag]
		if kind == "" {
			kind = "<" + stores[0].Tag + ">"
		}
		return nil, configErrorf(ed.file, "the broker uses a %s store (<%s>); the lab shares a KahaDB directory, so replace it with <kahaDB/> or start from the release's stock activemq.xml", kind, stores[0].FullTag())
	}
	return pa, patchKahaDB(ed, broker, stores[0], spec)
}

func kahaDBAttrs(spec BrokerSpec) []string {
	attrs := []string{"directory", spec.StoreDir}
	if spec.KeepAlive > 0 {
		attrs = append(attrs, "lockKeepAlivePeriod", strconv.Itoa(spec.KeepAlive))
	}
	return attrs
}

func lockerNode(broker *etree.Element, spec BrokerSpec) *node {
	return newNode(sameSpace(broker, "locker")).add(
		newNode(sameSpace(broker, "shared-file-locker"), "lockAcquireSleepInterval", strconv.Itoa(spec.LockInterval)))
}

func patchKahaDB(ed *editor, broker, kahaDB *etree.Element, spec BrokerSpec) error {
	if old := kahaDB.SelectAttrValue("directory", ""); ed.setAttr(kahaDB, "directory", spec.StoreDir) {
		ed.notef("KahaDB store now in %s (was %s)", spec.StoreDir, orNone(old))
	}
	if spec.KeepAlive > 0 {
		if ed.setAttr(kahaDB, "lockKeepAlivePeriod", strconv.Itoa(spec.KeepAlive)) {
			ed.notef("lockKeepAlivePeriod set to %d ms", spec.KeepAlive)
		}
	} else if ed.removeAttr(kahaDB, "lockKeepAlivePeriod") {
		ed.notef("lockKeepAlivePeriod removed (keep-alive off)")
	}
	lockers := childrenNamed(kahaDB, "locker")
	interval := strconv.Itoa(spec.LockInterval)
	switch len(lockers) {
	case 0:
		ed.appendChild(kahaDB, lockerNode(broker, spec))
		ed.notef("added shared-file-locker with lockAcquireSleepInterval %s ms", interval)
		return nil
	case 1:
	default:
		return configErrorf(ed.file, "<kahaDB> has %d <locker> elements; keep one", len(lockers))
	}
	impls := lockers[0].ChildElements()
	switch {
	case len(impls) == 0:
		ed.appendChild(lockers[0], lockerNode(broker, spec).children[0])
		ed.notef("added shared-file-locker with lockAcquireSleepInterval %s ms", interval)
	case len(impls) > 1 || impls[0].Tag != "shared-file-locker":
		return configErrorf(ed.file, "the KahaDB <locker> is <%s>; a shared-file lab needs <shared-file-locker>, so replace it", impls[0].FullTag())
	default:
		if ed.setAttr(impls[0], "lockAcquireSleepInterval", interval) {
			ed.notef("lockAcquireSleepInterval set to %s ms", interval)
		}
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "unset"
	}
	return s
}
