package xmlpatch

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/beevik/etree"
)

// maxDepth matches etree's default nesting limit, so that input etree would
// refuse is reported here with a position.
const maxDepth = 1024

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// source is one XML file: its bytes, the etree model of it, and where each
// element of the model sits in the bytes. Edits are made on the bytes at
// those places, so everything they do not touch (attribute layout, quoting,
// entity escapes, empty-element style) stays exactly as the author wrote it,
// which etree's writer alone would not guarantee.
type source struct {
	file  string
	src   []byte
	doc   *etree.Document
	spans map[*etree.Element]span
	eol   string
}

// span locates an element in the source bytes.
type span struct {
	start      int // '<' of the start tag
	openEnd    int // just after the start tag's '>'
	closeStart int // '<' of the end tag; openEnd for an empty-element tag
	end        int // just after the end tag; openEnd for an empty-element tag
}

func (s span) empty() bool { return s.end == s.openEnd }

// parseXML reads an XML file into a source. Malformed input yields a
// *SyntaxError with the line and column of the problem.
func parseXML(file string, data []byte) (*source, error) {
	base := 0
	if bytes.HasPrefix(data, utf8BOM) {
		base = len(utf8BOM)
	}
	body := data[base:]
	spans, err := indexElements(file, body)
	if err != nil {
		return nil, err
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(body); err != nil {
		return nil, fmt.Errorf("%s: %w; fix the file (or restore it from its .orig copy) and run again", file, err)
	}
	s := &source{file: file, src: data, doc: doc, spans: make(map[*etree.Element]span, len(spans)), eol: "\n"}
	if bytes.Contains(data, []byte("\r\n")) {
		s.eol = "\r\n"
	}
	i := 0
	var mapErr error
	var walk func(e *etree.Element)
	walk = func(e *etree.Element) {
		if mapErr != nil {
			return
		}
		if i >= len(spans) {
			mapErr = errors.New("more elements than the source holds")
			return
		}
		sp := spans[i]
		sp.start += base
		sp.openEnd += base
		sp.closeStart += base
		sp.end += base
		if name := s.tagName(sp); name != e.FullTag() {
			mapErr = fmt.Errorf("element %d is <%s> in the source but <%s> in the model", i+1, name, e.FullTag())
			return
		}
		s.spans[e] = sp
		i++
		for _, c := range e.ChildElements() {
			walk(c)
		}
	}
	root := doc.Root()
	if root == nil {
		return nil, &SyntaxError{File: file, Line: 1, Column: 1, Msg: "no root element"}
	}
	walk(root)
	if mapErr == nil && i != len(spans) {
		mapErr = fmt.Errorf("the model has %d elements, the source %d", i, len(spans))
	}
	if mapErr != nil {
		return nil, fmt.Errorf("%s: cannot map the XML model onto the file (%v); please report this with the file attached", file, mapErr)
	}
	return s, nil
}

// indexElements walks the tokens of body and records each element's span in
// document order, checking what encoding/xml's raw tokens leave unchecked:
// matching end tags, a single root, repeated attributes and nesting depth.
func indexElements(file string, body []byte) ([]span, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = true
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	fail := func(off int, format string, args ...any) error {
		line, col := position(body, off)
		return &SyntaxError{File: file, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
	}
	var (
		spans []span
		open  []int // indexes into spans of the elements not yet closed
		names []xml.Name
		roots int
	)
	for {
		start := int(dec.InputOffset())
		tok, err := dec.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			msg := err.Error()
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				msg = se.Msg
			}
			return nil, fail(int(dec.InputOffset()), "malformed XML: %s", msg)
		}
		end := int(dec.InputOffset())
		switch t := tok.(type) {
		case xml.StartElement:
			if len(open) == 0 {
				roots++
				if roots > 1 {
					return nil, fail(start, "a second root element <%s>; an XML file has exactly one", qname(t.Name))
				}
			}
			if len(open) >= maxDepth {
				return nil, fail(start, "elements nested deeper than %d levels", maxDepth)
			}
			seen := make(map[xml.Name]bool, len(t.Attr))
			for _, a := range t.Attr {
				if seen[a.Name] {
					return nil, fail(start, "attribute %s appears twice in <%s>", qname(a.Name), qname(t.Name))
				}
				seen[a.Name] = true
			}
			spans = append(spans, span{start: start, openEnd: end})
			open = append(open, len(spans)-1)
			names = append(names, t.Name)
		case xml.EndElement:
			if len(open) == 0 {
				return nil, fail(start, "</%s> closes nothing", qname(t.Name))
			}
			top := len(open) - 1
			if names[top] != t.Name {
				return nil, fail(start, "</%s> does not match <%s>", qname(t.Name), qname(names[top]))
			}
			spans[open[top]].closeStart = start
			spans[open[top]].end = end
			open, names = open[:top], names[:top]
		case xml.CharData:
			if len(open) == 0 && len(bytes.TrimSpace(t)) > 0 {
				return nil, fail(start, "text outside the root element")
			}
		}
	}
	if len(open) > 0 {
		top := len(open) - 1
		return nil, fail(spans[open[top]].start, "<%s> is never closed", qname(names[top]))
	}
	if roots == 0 {
		return nil, fail(len(body), "no root element")
	}
	return spans, nil
}

func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// position turns a byte offset into a 1-based line and column (in bytes).
func position(b []byte, off int) (line, col int) {
	off = min(max(off, 0), len(b))
	before := b[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = off - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// rawAttr is an attribute as written in a start tag; offsets are absolute.
type rawAttr struct {
	key      string
	keyStart int
	valStart int // just after the opening quote
	valEnd   int // at the closing quote
	quote    byte
}

// scanStartTag splits the start tag at sp into the end of its name and its
// attributes. The decoder has already checked the tag, so this only needs to
// find boundaries; it still never reads outside the tag.
func (s *source) scanStartTag(sp span) (nameEnd int, attrs []rawAttr) {
	b, end := s.src, sp.openEnd
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
	i := sp.start + 1
	for i < end && !isSpace(b[i]) && b[i] != '/' && b[i] != '>' {
		i++
	}
	nameEnd = i
	for i < end {
		for i < end && isSpace(b[i]) {
			i++
		}
		if i >= end || b[i] == '/' || b[i] == '>' {
			break
		}
		ks := i
		for i < end && !isSpace(b[i]) && b[i] != '=' {
			i++
		}
		key := string(b[ks:i])
		for i < end && b[i] != '"' && b[i] != '\'' {
			i++
		}
		if i >= end {
			break
		}
		q := b[i]
		vs := i + 1
		ve := bytes.IndexByte(b[vs:end], q)
		if ve < 0 {
			break
		}
		attrs = append(attrs, rawAttr{key: key, keyStart: ks, valStart: vs, valEnd: vs + ve, quote: q})
		i = vs + ve + 1
	}
	return nameEnd, attrs
}

func (s *source) tagName(sp span) string {
	nameEnd, _ := s.scanStartTag(sp)
	return string(s.src[sp.start+1 : nameEnd])
}

// attr finds attribute key (prefix:local as written) in e's start tag.
func (s *source) attr(e *etree.Element, key string) (rawAttr, bool) {
	_, attrs := s.scanStartTag(s.spans[e])
	for _, a := range attrs {
		if a.key == key {
			return a, true
		}
	}
	return rawAttr{}, false
}

// lineIndent returns the blanks between the start of pos's line and pos, and
// whether only blanks precede pos on that line.
func (s *source) lineIndent(pos int) (string, bool) {
	i := pos
	for i > 0 && (s.src[i-1] == ' ' || s.src[i-1] == '\t') {
		i--
	}
	if i > 0 && s.src[i-1] != '\n' {
		return "", false
	}
	return string(s.src[i:pos]), true
}

// indentOf is the indentation of e's start tag, "" if it does not begin a line.
func (s *source) indentOf(e *etree.Element) string {
	ind, _ := s.lineIndent(s.spans[e].start)
	return ind
}

// stepOf guesses the file's indentation step inside parent from the way its
// children, or parent itself within its own parent, are indented.
func (s *source) stepOf(parent *etree.Element) string {
	for p := parent; p != nil; p = p.Parent() {
		sp, known := s.spans[p]
		if !known {
			break
		}
		pi, ok := s.lineIndent(sp.start)
		if !ok {
			continue
		}
		for _, c := range p.ChildElements() {
			ci, ok := s.lineIndent(s.spans[c].start)
			if ok && len(ci) > len(pi) && strings.HasPrefix(ci, pi) {
				return ci[len(pi):]
			}
		}
	}
	if strings.Contains(s.indentOf(parent), "\t") {
		return "\t"
	}
	return "    "
}

// elements lists every element in document order.
func (s *source) elements() []*etree.Element {
	out := make([]*etree.Element, 0, len(s.spans))
	var walk func(e *etree.Element)
	walk = func(e *etree.Element) {
		out = append(out, e)
		for _, c := range e.ChildElements() {
			walk(c)
		}
	}
	walk(s.doc.Root())
	return out
}
