// Package scenarios runs the lab's demonstrations end to end on real
// brokers: the classic two-broker walkthrough with evidence at every step,
// a failover drill that times takeovers, and a chaos run that proves no
// acknowledged message is lost across repeated crashes.
//
// Scenarios never print. They describe what they do through small callback
// interfaces, so the CLI can show titles, ✓/✗ and evidence while tests run
// the same code silently and inspect the returned reports.
package scenarios
