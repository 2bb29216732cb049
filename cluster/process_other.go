//go:build !linux

package cluster

import "syscall"

// Elsewhere amqlab can plan and install a lab, but it tells master from
// slave with Linux /proc facts; starting brokers fails at the lock check.
func sysProcAttr(attached bool) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

func lockThreadForever() {}
