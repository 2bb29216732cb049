package xmlpatch

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/beevik/etree"
)

// Connector URI schemes by protocol. A lab broker keeps one OpenWire
// connector (what Java clients and the failover transport use) and one
// STOMP connector (what the native client uses); every other protocol goes,
// as in the walkthrough, which also lets a stock file start on an install
// that lacks a protocol module.
var (
	openWireSchemes = []string{"tcp", "nio", "ssl", "nio+ssl", "auto", "auto+nio", "auto+ssl", "auto+nio+ssl"}
	stompSchemes    = []string{"stomp", "stomp+nio", "stomp+ssl", "stomp+nio+ssl"}
)

// connectorURI is a transport connector URI split where amqlab edits it:
// only the authority (host:port) changes; the rest, query options included,
// stays as written.
type connectorURI struct {
	scheme    string
	authority string
	rest      string // path, query and fragment
}

func parseURI(s string) (connectorURI, error) {
	i := strings.Index(s, "://")
	if i <= 0 || !validScheme(s[:i]) {
		return connectorURI{}, fmt.Errorf("%q is not a URI of the form scheme://host:port", s)
	}
	r := s[i+3:]
	j := strings.IndexAny(r, "/?#")
	if j < 0 {
		j = len(r)
	}
	return connectorURI{scheme: s[:i], authority: r[:j], rest: r[j:]}, nil
}

func validScheme(s string) bool {
	for i, r := range s {
		letter := (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !letter && (i == 0 || !(r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.')) {
			return false
		}
	}
	return s != ""
}

func (u connectorURI) is(schemes []string) bool {
	for _, s := range schemes {
		if strings.EqualFold(u.scheme, s) {
			return true
		}
	}
	return false
}

type transportConnector struct {
	el   *etree.Element
	name string
	uri  connectorURI
}

// transportConnectors lists the broker's connectors; an unreadable URI is an
// error because amqlab could not tell what the connector is.
func transportConnectors(s *source, broker *etree.Element) ([]transportConnector, error) {
	var out []transportConnector
	for _, list := range childrenNamed(broker, "transportConnectors") {
		for _, tc := range childrenNamed(list, "transportConnector") {
			name := tc.SelectAttrValue("name", "")
			u, err := parseURI(tc.SelectAttrValue("uri", ""))
			if err != nil {
				return nil, configErrorf(s.file, "line %d: transport connector %q: %v; correct its uri attribute", lineOf(s.src, s.spans[tc].start), name, err)
			}
			out = append(out, transportConnector{el: tc, name: name, uri: u})
		}
	}
	return out, nil
}

// pickConnector chooses the connector to keep for a protocol: the one with
// the stock name if its scheme fits, else the first whose scheme fits.
func pickConnector(conns []transportConnector, name string, schemes []string) *transportConnector {
	for i, c := range conns {
		if c.name == name && c.uri.is(schemes) {
			return &conns[i]
		}
	}
	for i, c := range conns {
		if c.uri.is(schemes) {
			return &conns[i]
		}
	}
	return nil
}

func patchTransport(ed *editor, broker *etree.Element, spec BrokerSpec) error {
	conns, err := transportConnectors(ed.source, broker)
	if err != nil {
		return err
	}
	ow := pickConnector(conns, "openwire", openWireSchemes)
	var st *transportConnector
	if spec.StompPort != 0 {
		st = pickConnector(conns, "stomp", stompSchemes)
	}
	for _, c := range conns {
		if (ow == nil || c.el != ow.el) && (st == nil || c.el != st.el) {
			ed.removeElement(c.el)
			ed.notef("removed transport connector %s (%s)", c.name, c.uri.scheme)
		}
	}
	owAddr := net.JoinHostPort(spec.Host, strconv.Itoa(spec.OpenWirePort))
	stAddr := net.JoinHostPort(spec.Host, strconv.Itoa(spec.StompPort))
	var added []*node
	if ow != nil {
		ed.setAuthority(*ow, owAddr)
	} else {
		added = append(added, newNode(sameSpace(broker, "transportConnector"), "name", "openwire", "uri", "tcp://"+owAddr))
		ed.notef("added transport connector openwire on %s", owAddr)
	}
	if spec.StompPort != 0 {
		if st != nil {
			ed.setAuthority(*st, stAddr)
		} else {
			added = append(added, newNode(sameSpace(broker, "transportConnector"), "name", "stomp", "uri", "stomp://"+stAddr))
			ed.notef("added transport connector stomp on %s", stAddr)
		}
	}
	lists := childrenNamed(broker, "transportConnectors")
	switch {
	case len(added) == 0:
	case len(lists) == 0:
		ed.appendChild(broker, newNode(sameSpace(broker, "transportConnectors")).add(added...))
	case ow != nil:
		for _, n := range added {
			ed.insertAfter(ow.el, n)
		}
	default:
		for _, n := range added {
			ed.appendChild(lists[0], n)
		}
	}
	return nil
}

// setAuthority points a kept connector at addr, editing the URI text as
// written so that its query options keep their escaping.
func (ed *editor) setAuthority(c transportConnector, addr string) {
	if strings.EqualFold(c.uri.authority, addr) {
		return
	}
	ra, _ := ed.attr(c.el, "uri")
	raw, err := parseURI(string(ed.src[ra.valStart:ra.valEnd]))
	if err == nil {
		ed.setRawAttr(ra, raw.scheme+"://"+escapeAttr(addr, ra.quote)+raw.rest)
	} else {
		// The scheme itself is written with character references.
		ed.setAttr(c.el, "uri", c.uri.scheme+"://"+addr+c.uri.rest)
	}
	ed.notef("transport connector %s now listens on %s (was %s)", c.name, addr, c.uri.authority)
}

// childrenNamed lists e's child elements with the local name tag, whatever
// their namespace prefix.
func childrenNamed(e *etree.Element, tag string) []*etree.Element {
	var out []*etree.Element
	for _, c := range e.ChildElements() {
		if c.Tag == tag {
			out = append(out, c)
		}
	}
	return out
}

// sameSpace gives a new element the namespace prefix of like, so that
// <amq:broker> gets <amq:networkConnectors>.
func sameSpace(like *etree.Element, tag string) string {
	if like.Space == "" {
		return tag
	}
	return like.Space + ":" + tag
}
