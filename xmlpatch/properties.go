package xmlpatch

import (
	"bytes"
	"strconv"
	"strings"
)

// property is one entry of a Java .properties file. Offsets are bytes of
// the file; an entry may continue over several lines.
type property struct {
	key      string
	value    string // unescaped
	keyEnd   int
	valStart int
	end      int // end of the entry, before its line break
}

// parseProperties reads entries the way java.util.Properties does: # and !
// comments, = : or blanks between key and value, backslash continuation and
// escapes.
func parseProperties(data []byte) []property {
	var out []property
	isBlank := func(c byte) bool { return c == ' ' || c == '\t' || c == '\f' }
	i := 0
	for i < len(data) {
		for i < len(data) && isBlank(data[i]) {
			i++
		}
		if i >= len(data) {
			break
		}
		if c := data[i]; c == '\n' || c == '\r' || c == '#' || c == '!' {
			i = nextLine(data, i)
			continue
		}
		start, end := i, i
		for {
			e := end
			for e < len(data) && data[e] != '\n' && data[e] != '\r' {
				e++
			}
			slashes := 0
			for k := e - 1; k >= start && data[k] == '\\'; k-- {
				slashes++
			}
			if slashes%2 == 1 && e < len(data) {
				end = nextLine(data, e)
				continue
			}
			end = e
			break
		}
		k := start
		for k < end {
			c := data[k]
			if c == '\\' {
				k += 2
				continue
			}
			if c == '=' || c == ':' || isBlank(c) {
				break
			}
			k++
		}
		k = min(k, end)
		v := k
		for v < end && isBlank(data[v]) {
			v++
		}
		if v < end && (data[v] == '=' || data[v] == ':') {
			v++
			for v < end && isBlank(data[v]) {
				v++
			}
		}
		out = append(out, property{
			key:      unescapeProperty(data[start:k]),
			value:    unescapeProperty(data[v:end]),
			keyEnd:   k,
			valStart: v,
			end:      end,
		})
		i = end
	}
	return out
}

// nextLine returns the offset after the line break at or after i.
func nextLine(data []byte, i int) int {
	for i < len(data) && data[i] != '\n' && data[i] != '\r' {
		i++
	}
	if i < len(data) && data[i] == '\r' {
		i++
	}
	if i < len(data) && data[i] == '\n' {
		i++
	}
	return i
}

func unescapeProperty(b []byte) string {
	var s strings.Builder
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '\\' {
			s.WriteByte(c)
			continue
		}
		i++
		if i >= len(b) {
			break
		}
		switch c = b[i]; c {
		case 't':
			s.WriteByte('\t')
		case 'n':
			s.WriteByte('\n')
		case 'r':
			s.WriteByte('\r')
		case 'f':
			s.WriteByte('\f')
		case 'u':
			if i+4 < len(b) {
				if r, err := strconv.ParseUint(string(b[i+1:i+5]), 16, 16); err == nil {
					s.WriteRune(rune(r))
					i += 4
					continue
				}
			}
			s.WriteByte('u')
		case '\r', '\n':
			// A continuation: the line break and the next line's indent vanish.
			for i+1 < len(b) && (b[i+1] == '\n' || b[i+1] == ' ' || b[i+1] == '\t' || b[i+1] == '\f') {
				i++
			}
		default:
			s.WriteByte(c)
		}
	}
	return s.String()
}

func escapePropertyValue(v string) string {
	var s strings.Builder
	for i, r := range v {
		switch {
		case r == '\\':
			s.WriteString(`\\`)
		case r == '\n':
			s.WriteString(`\n`)
		case r == '\r':
			s.WriteString(`\r`)
		case r == '\t':
			s.WriteString(`\t`)
		case r == ' ' && i == 0:
			s.WriteString(`\ `)
		default:
			s.WriteRune(r)
		}
	}
	return s.String()
}

// lookupProperty returns the value that wins in Java: the last one.
func lookupProperty(props []property, key string) (string, bool) {
	val, ok := "", false
	for _, p := range props {
		if p.key == key {
			val, ok = p.value, true
		}
	}
	return val, ok
}

// setProperty gives key the value in every entry that has it, keeping each
// line's layout. When there is none it adds an entry on the line after the
// last entry of near (a related key), or at the end. It reports whether the
// bytes changed.
func setProperty(data []byte, key, value, near string) ([]byte, bool) {
	props := parseProperties(data)
	esc := escapePropertyValue(value)
	var out []byte
	at, found, changed := 0, false, false
	for _, p := range props {
		if p.key != key {
			continue
		}
		found = true
		if p.value == value {
			continue
		}
		text := esc
		if p.valStart == p.keyEnd {
			text = "=" + esc
		}
		out = append(out, data[at:p.valStart]...)
		out = append(out, text...)
		at, changed = p.end, true
	}
	if found {
		return append(out, data[at:]...), changed
	}
	eol := "\n"
	if bytes.Contains(data, []byte("\r\n")) {
		eol = "\r\n"
	}
	at = -1
	for _, p := range props {
		if p.key == near && near != "" {
			at = p.end
		}
	}
	if at >= 0 {
		out = append(out, data[:at]...)
		out = append(out, eol+key+"="+esc...)
		return append(out, data[at:]...), true
	}
	out = append(out, data...)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, eol...)
	}
	return append(out, key+"="+esc+eol...), true
}
