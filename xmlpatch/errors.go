package xmlpatch

import "fmt"

// SyntaxError is malformed input, located so the user can fix it in an
// editor: file, line and column (both 1-based).
type SyntaxError struct {
	File   string
	Line   int
	Column int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s; fix the file (or restore it from its .orig copy) and run again", e.File, e.Line, e.Column, e.Msg)
}

// ConfigError is well-formed input that amqlab cannot turn into a lab
// broker, such as a JDBC store or a connector URI it cannot read.
type ConfigError struct {
	File string
	Msg  string
}

func (e *ConfigError) Error() string { return e.File + ": " + e.Msg }

func configErrorf(file, format string, args ...any) error {
	return &ConfigError{File: file, Msg: fmt.Sprintf(format, args...)}
}
