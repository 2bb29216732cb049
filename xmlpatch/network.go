package xmlpatch

import (
	"slices"
	"strings"

	"github.com/beevik/etree"
)

// NetworkConnectorPrefix starts the name of every network connector amqlab
// writes. A re-run replaces the connectors with this prefix and keeps the
// ones a user added by hand.
const NetworkConnectorPrefix = "amqlab-"

// networkConnectorName names the connector to one peer after its address,
// so that broker logs say which peer a bridge is for.
func networkConnectorName(peer string) string {
	addr := peer
	if u, err := parseURI(peer); err == nil {
		addr = u.authority
	}
	name := []byte(NetworkConnectorPrefix + addr)
	for i, c := range name {
		ok := c == '-' || c == '.' || c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !ok {
			name[i] = '-'
		}
	}
	return string(name)
}

// wantedNetworkConnectors are the walkthrough's static connectors, one per
// peer.
func wantedNetworkConnectors(broker *etree.Element, spec BrokerSpec) []*node {
	var out []*node
	for _, p := range spec.NetworkPeers {
		out = append(out, newNode(sameSpace(broker, "networkConnector"), "name", networkConnectorName(p), "uri", "static:("+p+")"))
	}
	return out
}

func isOurs(nc *etree.Element) bool {
	return nc.Tag == "networkConnector" && strings.HasPrefix(nc.SelectAttrValue("name", ""), NetworkConnectorPrefix)
}

// patchNetwork makes the amqlab network connectors match the spec. after is
// where a new <networkConnectors> goes (nil: at the end of <broker>).
func patchNetwork(ed *editor, broker, after *etree.Element, spec BrokerSpec) {
	want := wantedNetworkConnectors(broker, spec)
	lists := childrenNamed(broker, "networkConnectors")
	var ours []*etree.Element
	var home *etree.Element // the list that keeps hand-made connectors
	for _, l := range lists {
		for _, nc := range l.ChildElements() {
			if isOurs(nc) {
				ours = append(ours, nc)
			} else if home == nil {
				home = l
			}
		}
	}
	if home == nil {
		for _, l := range lists {
			if !onlyOurs(l) {
				home = l // it has comments worth keeping
				break
			}
		}
	}
	if sameConnectors(ours, want) {
		return
	}
	for _, nc := range ours {
		ed.notef("removed network connector %s", nc.SelectAttrValue("name", ""))
	}
	for _, n := range want {
		ed.notef("network connector %s to %s", n.attrs[0][1], n.attrs[1][1])
	}
	// Lists that only ever held amqlab connectors go as a whole and, if
	// still wanted, come back in the usual place: the same bytes as a first
	// patch.
	for _, l := range lists {
		if l != home && onlyOurs(l) {
			ed.removeElement(l)
			continue
		}
		for _, nc := range l.ChildElements() {
			if isOurs(nc) {
				ed.removeElement(nc)
			}
		}
	}
	switch {
	case len(want) == 0:
	case home != nil:
		for _, n := range want {
			ed.appendChild(home, n)
		}
	case after != nil:
		ed.insertAfter(after, newNode(sameSpace(broker, "networkConnectors")).add(want...))
	default:
		ed.appendChild(broker, newNode(sameSpace(broker, "networkConnectors")).add(want...))
	}
}

func sameConnectors(have []*etree.Element, want []*node) bool {
	return slices.EqualFunc(have, want, func(h *etree.Element, w *node) bool {
		if len(h.Attr) != len(w.attrs) {
			return false
		}
		for _, a := range w.attrs {
			if h.SelectAttrValue(a[0], "") != a[1] {
				return false
			}
		}
		return true
	})
}

// onlyOurs reports whether list holds nothing but amqlab connectors and
// blanks, so removing it loses nothing of the user's.
func onlyOurs(list *etree.Element) bool {
	for _, t := range list.Child {
		switch t := t.(type) {
		case *etree.Element:
			if !isOurs(t) {
				return false
			}
		case *etree.CharData:
			if strings.TrimSpace(t.Data) != "" {
				return false
			}
		default:
			return false
		}
	}
	return true
}
