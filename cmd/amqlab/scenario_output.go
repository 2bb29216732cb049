package main

import (
	"fmt"

	"github.com/amqlab/amqlab/scenarios"
)

// showReport prints a scenario's report: as JSON for scripts, else the
// way human renders it.
func (a *app) showReport(asJSON bool, rep any, human func()) error {
	if asJSON {
		return a.printJSON(rep)
	}
	human()
	return nil
}

// spread renders a Spread for a person.
func spread(s scenarios.Spread) string {
	if s.N == 0 {
		return "-"
	}
	if s.N == 1 {
		return seconds(s.Median)
	}
	return fmt.Sprintf("median %s, min %s, max %s (%d rounds)", seconds(s.Median), seconds(s.Min), seconds(s.Max), s.N)
}

func seconds(v float64) string {
	if v <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.3f s", v)
}

func orQuestion(s string) string {
	if s == "" {
		return "?"
	}
	return s
}
