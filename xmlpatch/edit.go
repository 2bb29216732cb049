package xmlpatch

import (
	"fmt"
	"slices"
	"strings"

	"github.com/beevik/etree"
)

// edit replaces src[start:end] with text; start == end inserts.
type edit struct {
	start, end int
	text       string
	seq        int
}

// editor collects edits against a source and applies them in one pass.
// Decisions are taken on the unchanged model; only the bytes change.
type editor struct {
	*source
	edits   []edit
	appends map[*etree.Element][]*node // new children per parent, in order
	parents []*etree.Element           // keys of appends in first-use order
	removed map[*etree.Element]bool
	changes []string
}

func newEditor(s *source) *editor {
	return &editor{source: s, appends: map[*etree.Element][]*node{}, removed: map[*etree.Element]bool{}}
}

func (ed *editor) notef(format string, args ...any) {
	ed.changes = append(ed.changes, fmt.Sprintf(format, args...))
}

func (ed *editor) replace(start, end int, text string) {
	ed.edits = append(ed.edits, edit{start: start, end: end, text: text, seq: len(ed.edits)})
}

// setAttr gives e's attribute key the value, adding the attribute after the
// last one if it is missing. It reports whether anything changed; an equal
// value is left as written, escapes included.
func (ed *editor) setAttr(e *etree.Element, key, value string) bool {
	if a := e.SelectAttr(key); a != nil && a.Value == value {
		return false
	}
	if ra, ok := ed.attr(e, key); ok {
		ed.replace(ra.valStart, ra.valEnd, escapeAttr(value, ra.quote))
		return true
	}
	nameEnd, attrs := ed.scanStartTag(ed.spans[e])
	at := nameEnd
	if len(attrs) > 0 {
		at = attrs[len(attrs)-1].valEnd + 1
	}
	ed.replace(at, at, " "+key+`="`+escapeAttr(value, '"')+`"`)
	return true
}

// setRawAttr replaces the attribute's text as written (already escaped).
func (ed *editor) setRawAttr(ra rawAttr, raw string) bool {
	if string(ed.src[ra.valStart:ra.valEnd]) == raw {
		return false
	}
	ed.replace(ra.valStart, ra.valEnd, raw)
	return true
}

// removeAttr drops attribute key and the blanks before it.
func (ed *editor) removeAttr(e *etree.Element, key string) bool {
	ra, ok := ed.attr(e, key)
	if !ok {
		return false
	}
	start := ra.keyStart
	for start > 0 && isBlank(ed.src[start-1]) {
		start--
	}
	ed.replace(start, ra.valEnd+1, "")
	return true
}

// removeElement deletes e; when e stands alone on its lines, the lines go too.
func (ed *editor) removeElement(e *etree.Element) {
	ed.removed[e] = true
	sp := ed.spans[e]
	start, end := sp.start, sp.end
	if _, alone := ed.lineIndent(start); alone {
		i := end
		for i < len(ed.src) && (ed.src[i] == ' ' || ed.src[i] == '\t') {
			i++
		}
		switch {
		case i == len(ed.src):
			start, end = start-len(ed.indentOf(e)), i
		case ed.src[i] == '\n':
			start, end = start-len(ed.indentOf(e)), i+1
		case ed.src[i] == '\r' && i+1 < len(ed.src) && ed.src[i+1] == '\n':
			start, end = start-len(ed.indentOf(e)), i+2
		}
	}
	ed.replace(start, end, "")
}

// insertAfter puts n on a new line after sibling, indented like it.
func (ed *editor) insertAfter(sibling *etree.Element, n *node) {
	ind := ed.indentOf(sibling)
	var b strings.Builder
	b.WriteString(ed.eol + ind)
	n.render(&b, ind, ed.stepOf(sibling.Parent()), ed.eol)
	at := ed.spans[sibling].end
	ed.replace(at, at, b.String())
}

// appendChild adds n as the last child element of parent. The children
// given to one parent are written together when the edits are applied, so a
// parent written as an empty-element tag is opened only once.
func (ed *editor) appendChild(parent *etree.Element, n *node) {
	if _, ok := ed.appends[parent]; !ok {
		ed.parents = append(ed.parents, parent)
	}
	ed.appends[parent] = append(ed.appends[parent], n)
}

func (ed *editor) flushAppends() {
	for _, p := range ed.parents {
		sp := ed.spans[p]
		ind := ed.indentOf(p)
		step := ed.stepOf(p)
		var b strings.Builder
		for _, n := range ed.appends[p] {
			b.WriteString(ed.eol + ind + step)
			n.render(&b, ind+step, step, ed.eol)
		}
		body := b.String()
		kids := p.ChildElements()
		var last *etree.Element
		for _, k := range kids {
			if !ed.removed[k] {
				last = k
			}
		}
		switch {
		case sp.empty():
			// <p a="1"/> becomes <p a="1"> children </p>.
			at := sp.openEnd - len("/>")
			for at > sp.start && isBlank(ed.src[at-1]) {
				at--
			}
			ed.replace(at, sp.openEnd, ">"+body+ed.eol+ind+"</"+p.FullTag()+">")
		case last != nil:
			at := ed.spans[last].end
			ed.replace(at, at, body)
		case len(kids) > 0:
			// Every child goes away: start right after the start tag.
			ed.replace(sp.openEnd, sp.openEnd, body)
		default:
			content := ed.src[sp.openEnd:sp.closeStart]
			trimmed := strings.TrimRight(string(content), " \t\r\n")
			if trimmed == "" {
				ed.replace(sp.openEnd, sp.closeStart, body+ed.eol+ind)
			} else {
				at := sp.openEnd + len(trimmed)
				ed.replace(at, at, body)
			}
		}
	}
	ed.parents, ed.appends = nil, map[*etree.Element][]*node{}
}

// result applies every edit to a copy of the source.
func (ed *editor) result() ([]byte, error) {
	ed.flushAppends()
	edits := slices.Clone(ed.edits)
	slices.SortStableFunc(edits, func(a, b edit) int {
		if a.start != b.start {
			return a.start - b.start
		}
		// At one position, insertions go before a replacement that starts there.
		ai, bi := a.start == a.end, b.start == b.end
		switch {
		case ai && !bi:
			return -1
		case bi && !ai:
			return 1
		}
		return a.seq - b.seq
	})
	out := make([]byte, 0, len(ed.src)+256)
	at := 0
	for _, e := range edits {
		if e.start < at || e.end < e.start || e.end > len(ed.src) {
			return nil, fmt.Errorf("%s: two changes overlap near line %d; the file's layout is unusual, so adjust it by hand or restore the .orig copy", ed.file, lineOf(ed.src, e.start))
		}
		out = append(out, ed.src[at:e.start]...)
		out = append(out, e.text...)
		at = e.end
	}
	return append(out, ed.src[at:]...), nil
}

func lineOf(b []byte, off int) int {
	line, _ := position(b, off)
	return line
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// node is a new element to write.
type node struct {
	tag      string
	attrs    [][2]string
	children []*node
}

func newNode(tag string, attrs ...string) *node {
	n := &node{tag: tag}
	for i := 0; i+1 < len(attrs); i += 2 {
		n.attrs = append(n.attrs, [2]string{attrs[i], attrs[i+1]})
	}
	return n
}

func (n *node) add(children ...*node) *node {
	n.children = append(n.children, children...)
	return n
}

// render writes n starting at the current column; indent is the
// indentation of n's own line.
func (n *node) render(b *strings.Builder, indent, step, eol string) {
	b.WriteString("<" + n.tag)
	for _, a := range n.attrs {
		b.WriteString(" " + a[0] + `="` + escapeAttr(a[1], '"') + `"`)
	}
	if len(n.children) == 0 {
		b.WriteString("/>")
		return
	}
	b.WriteString(">")
	for _, c := range n.children {
		b.WriteString(eol + indent + step)
		c.render(b, indent+step, step, eol)
	}
	b.WriteString(eol + indent + "</" + n.tag + ">")
}

// escapeAttr escapes s for an attribute value quoted with quote. Line
// breaks and tabs become character references so that attribute-value
// normalisation does not turn them into spaces.
func escapeAttr(s string, quote byte) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '"' && quote == '"':
			b.WriteString("&quot;")
		case r == '\'' && quote == '\'':
			b.WriteString("&apos;")
		case r == '\n':
			b.WriteString("&#xA;")
		case r == '\r':
			b.WriteString("&#xD;")
		case r == '\t':
			b.WriteString("&#x9;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
