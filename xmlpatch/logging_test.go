package xmlpatch

import (
	"bytes"
	"strings"
	"testing"
)

func TestPatchLog4j2Console(t *testing.T) {
	cases := map[string]struct {
		in, want string
		warn     string
	}{
		"stock pattern": {
			in:   "appender.console.type=Console\nappender.console.layout.type=PatternLayout\nappender.console.layout.pattern=%5p | %m%n\n",
			want: "appender.console.type=Console\nappender.console.layout.type=PatternLayout\nappender.console.layout.pattern=" + ConsoleDatePattern + " | %5p | %m%n\n",
		},
		"already dated": {
			in:   "appender.c.type = Console\nappender.c.layout.pattern = %-5d{HH:mm} %m%n\n",
			want: "appender.c.type = Console\nappender.c.layout.pattern = %-5d{HH:mm} %m%n\n",
		},
		"no pattern": {
			in:   "appender.out.type=Console\nappender.out.layout.type=PatternLayout\n",
			want: "appender.out.type=Console\nappender.out.layout.type=PatternLayout\nappender.out.layout.pattern=" + defaultConsolePattern + "\n",
		},
		"no console":  {in: "appender.f.type=RollingFile\n", want: "appender.f.type=RollingFile\n", warn: "has no console appender"},
		"json layout": {in: "appender.c.type=Console\nappender.c.layout.type=JsonLayout\n", want: "appender.c.type=Console\nappender.c.layout.type=JsonLayout\n", warn: "uses JsonLayout"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			res, err := PatchLog4j2Console("log4j2.properties", []byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(res.Data) != tc.want {
				t.Errorf("got\n%s\nwant\n%s", res.Data, tc.want)
			}
			if w := strings.Join(res.Warnings, "\n"); tc.warn == "" && w != "" || !strings.Contains(w, tc.warn) {
				t.Errorf("warnings %q, want %q", w, tc.warn)
			}
			again, _ := PatchLog4j2Console("log4j2.properties", res.Data)
			if !bytes.Equal(again.Data, res.Data) {
				t.Error("not idempotent")
			}
		})
	}
}
