package xmlpatch

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/beevik/etree"
)

// Web-console files by release line. Up to 6.2 the port lives in the
// jettyPort bean of conf/jetty.xml; from 6.3 in conf/jetty-spring.properties.
const (
	JettyXML          = "jetty.xml"
	JettySpringProps  = "jetty-spring.properties"
	jettyPortBeanID   = "jettyPort"
	jettySpringPort   = "jetty.http.port"
	jettySpringHost   = "jetty.http.host"
	jettyPropertyPort = "port"
	jettyPropertyHost = "host"
)

// PatchJettyXML binds a 5.x–6.2 web console (bean jettyPort, properties
// host and port) to web.Host:web.Port.
func PatchJettyXML(file string, data []byte, web WebSpec) (*Result, error) {
	if err := web.Validate(); err != nil {
		return nil, err
	}
	src, err := parseXML(file, data)
	if err != nil {
		return nil, err
	}
	props, err := jettyPortProperties(src)
	if err != nil {
		return nil, err
	}
	ed := newEditor(src)
	port := strconv.Itoa(web.Port)
	if old := props[jettyPropertyPort].SelectAttrValue("value", ""); ed.setAttr(props[jettyPropertyPort], "value", port) {
		ed.notef("web console port %s (was %s)", port, old)
	}
	if h := props[jettyPropertyHost]; h != nil {
		if old := h.SelectAttrValue("value", ""); ed.setAttr(h, "value", web.Host) {
			ed.notef("web console host %s (was %s)", web.Host, old)
		}
	} else {
		p := props[jettyPropertyPort]
		ed.insertAfter(p, newNode(sameSpace(p, "property"), "name", jettyPropertyHost, "value", web.Host))
		ed.notef("web console host %s (was all interfaces)", web.Host)
	}
	return ed.finish(func(s *source) error {
		got, err := readJettyXML(s)
		if err == nil && got != web {
			err = fmt.Errorf("web console on %s:%d, want %s:%d", got.Host, got.Port, web.Host, web.Port)
		}
		return err
	})
}

// ReadJettyXML reads where a 5.x–6.2 web console listens.
func ReadJettyXML(file string, data []byte) (WebSpec, error) {
	src, err := parseXML(file, data)
	if err != nil {
		return WebSpec{}, err
	}
	return readJettyXML(src)
}

func readJettyXML(s *source) (WebSpec, error) {
	props, err := jettyPortProperties(s)
	if err != nil {
		return WebSpec{}, err
	}
	var w WebSpec
	if h := props[jettyPropertyHost]; h != nil {
		w.Host = h.SelectAttrValue("value", "")
	}
	v := props[jettyPropertyPort].SelectAttrValue("value", "")
	if w.Port, err = strconv.Atoi(strings.TrimSpace(v)); err != nil {
		return WebSpec{}, configErrorf(s.file, "line %d: the %s bean's port %q is not a number", lineOf(s.src, s.spans[props[jettyPropertyPort]].start), jettyPortBeanID, v)
	}
	return w, nil
}

// jettyPortProperties finds the jettyPort bean's host and port <property>
// elements; port must be there, written as a value attribute.
func jettyPortProperties(s *source) (map[string]*etree.Element, error) {
	var bean *etree.Element
	for _, e := range s.elements() {
		if e.Tag == "bean" && e.SelectAttrValue("id", "") == jettyPortBeanID {
			bean = e
			break
		}
	}
	if bean == nil {
		return nil, configErrorf(s.file, "no <bean id=%q>; amqlab sets the web console port there (restore the release's jetty.xml)", jettyPortBeanID)
	}
	props := map[string]*etree.Element{}
	for _, p := range childrenNamed(bean, "property") {
		name := p.SelectAttrValue("name", "")
		if name != jettyPropertyHost && name != jettyPropertyPort {
			continue
		}
		if p.SelectAttr("value") == nil {
			return nil, configErrorf(s.file, "line %d: the %s bean's %s property has no value attribute; write it as <property name=%q value=\"…\"/>", lineOf(s.src, s.spans[p].start), jettyPortBeanID, name, name)
		}
		props[name] = p
	}
	if props[jettyPropertyPort] == nil {
		return nil, configErrorf(s.file, "the %s bean has no port property; add <property name=\"port\" value=\"8161\"/>", jettyPortBeanID)
	}
	return props, nil
}

// PatchJettySpring binds a 6.3+ web console (jetty-spring.properties) to
// web.Host:web.Port.
func PatchJettySpring(file string, data []byte, web WebSpec) (*Result, error) {
	if err := web.Validate(); err != nil {
		return nil, err
	}
	old := jettySpringSettings(data)
	res := &Result{Data: data}
	var changed bool
	port := strconv.Itoa(web.Port)
	if res.Data, changed = setProperty(res.Data, jettySpringPort, port, ""); changed {
		res.Changes = append(res.Changes, fmt.Sprintf("web console port %s (was %s)", port, orNone(old.port)))
	}
	if res.Data, changed = setProperty(res.Data, jettySpringHost, web.Host, jettySpringPort); changed {
		res.Changes = append(res.Changes, fmt.Sprintf("web console host %s (was %s)", web.Host, orNone(old.host)))
	}
	got, err := ReadJettySpring(file, res.Data)
	if err == nil && got != web {
		err = fmt.Errorf("web console on %s:%d, want %s:%d", got.Host, got.Port, web.Host, web.Port)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: the patched file does not read back as planned (%v); the file was left as it is: please report this with the file attached", file, err)
	}
	return res, nil
}

type jettySpringValues struct{ host, port string }

// jettySpringSettings returns the raw host and port, empty when unset.
func jettySpringSettings(data []byte) jettySpringValues {
	props := parseProperties(data)
	h, _ := lookupProperty(props, jettySpringHost)
	p, _ := lookupProperty(props, jettySpringPort)
	return jettySpringValues{host: h, port: p}
}

// ReadJettySpring reads where a 6.3+ web console listens.
func ReadJettySpring(file string, data []byte) (WebSpec, error) {
	v := jettySpringSettings(data)
	if v.port == "" {
		return WebSpec{Host: v.host}, configErrorf(file, "%s is not set", jettySpringPort)
	}
	port, err := strconv.Atoi(strings.TrimSpace(v.port))
	if err != nil {
		return WebSpec{}, configErrorf(file, "%s=%s is not a number", jettySpringPort, v.port)
	}
	return WebSpec{Host: v.host, Port: port}, nil
}
