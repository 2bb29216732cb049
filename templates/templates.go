// Package templates holds the files amqlab writes into a broker's conf/
// when the installed ActiveMQ lacks them or when the lab needs its own.
package templates

import _ "embed"

//go:embed log4j.properties
var log4jProperties []byte

//go:embed activemq.xml
var activemqXML []byte

// Log4jProperties is the logging configuration for installs that log with
// log4j 1.x (5.14–5.16 and Debian's packaged broker): INFO lines on the
// console as "time | level | message", which is where the lab reads broker
// roles from, and a rolling activemq.log under ${activemq.data}.
func Log4jProperties() []byte { return clone(log4jProperties) }

// ActiveMQXML is a minimal broker configuration for installs that ship no
// conf/ (Debian's package). It is a stock file like any release's: the
// configure step patches it into a lab broker.
func ActiveMQXML() []byte { return clone(activemqXML) }

// Callers may modify what they get without changing the next caller's copy.
func clone(b []byte) []byte { return append([]byte(nil), b...) }
