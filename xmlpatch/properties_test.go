package xmlpatch

import "testing"

func TestParseProperties(t *testing.T) {
	in := "# comment\n" +
		"! also a comment\n" +
		"a=1\n" +
		"  b : two words \n" +
		"c three\n" +
		"d\n" +
		"e=first \\\n   second\n" +
		"f=tab\\there \\u0041 back\\\\slash\n" +
		"key\\=with\\:seps=v\n" +
		"a=last\r\n"
	want := map[string]string{"a": "last", "b": "two words ", "c": "three", "d": "", "e": "first second", "f": "tab\there A back\\slash", "key=with:seps": "v"}
	props := parseProperties([]byte(in))
	if len(props) != 8 {
		t.Errorf("%d entries, want 8: %+v", len(props), props)
	}
	for k, v := range want {
		if got, ok := lookupProperty(props, k); !ok || got != v {
			t.Errorf("%s = %q (%v), want %q", k, got, ok, v)
		}
	}
}

func TestSetPropertyEscapes(t *testing.T) {
	for _, v := range []string{" lead", `back\slash`, "two\nlines", "tab\tin", ""} {
		out, _ := setProperty([]byte("k=old\n"), "k", v, "")
		if got, _ := lookupProperty(parseProperties(out), "k"); got != v {
			t.Errorf("set %q, read back %q from %q", v, got, out)
		}
	}
}
