package xmlpatch

import (
	"fmt"
	"regexp"
	"strings"
)

// ConsoleDatePattern starts every console line of a lab broker, for log4j 1
// and log4j2 alike, so the console reads "time | level | message".
const ConsoleDatePattern = "%d{yyyy-MM-dd HH:mm:ss,SSS}"

// defaultConsolePattern is used when a console appender names no pattern.
const defaultConsolePattern = ConsoleDatePattern + " | %5p | %m%n"

var datePattern = regexp.MustCompile(`%[-.0-9]*(d|date)\b`)

// PatchLog4j2Console makes a log4j2.properties console appender show the
// time in front of its lines; the stock pattern prints only level and
// message. Everything else in the file stays as it is.
func PatchLog4j2Console(file string, data []byte) (*Result, error) {
	props := parseProperties(data)
	res := &Result{Data: data}
	var consoles []string
	for _, p := range props {
		id, ok := strings.CutPrefix(p.key, "appender.")
		if id, ok2 := strings.CutSuffix(id, ".type"); ok && ok2 && !strings.Contains(id, ".") && strings.EqualFold(strings.TrimSpace(p.value), "Console") {
			consoles = append(consoles, id)
		}
	}
	if len(consoles) == 0 {
		res.Warnings = append(res.Warnings, file+" has no console appender, so the broker's console will not show its log lines")
		return res, nil
	}
	for _, id := range consoles {
		if layout, ok := lookupProperty(props, "appender."+id+".layout.type"); ok && strings.TrimSpace(layout) != "PatternLayout" {
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s: console appender %s uses %s, not PatternLayout; its lines are left as they are", file, id, layout))
			continue
		}
		key := "appender." + id + ".layout.pattern"
		old, ok := lookupProperty(props, key)
		if ok && datePattern.MatchString(old) {
			continue
		}
		pattern := defaultConsolePattern
		if ok {
			pattern = ConsoleDatePattern + " | " + old
		}
		res.Data, _ = setProperty(res.Data, key, pattern, "appender."+id+".layout.type")
		res.Changes = append(res.Changes, fmt.Sprintf("console appender %s pattern %s (was %s)", id, pattern, orNone(old)))
	}
	return res, nil
}
