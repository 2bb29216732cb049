package cluster

import (
	"runtime"
	"syscall"
)

// sysProcAttr places a broker in its own process group, so that Ctrl+C in
// the terminal reaches amqlab only and amqlab stops the brokers in order.
// Attached brokers die with the amqlab that started them; detached ones get
// a session of their own and outlive it.
func sysProcAttr(attached bool) *syscall.SysProcAttr {
	if attached {
		return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	}
	return &syscall.SysProcAttr{Setsid: true}
}

// lockThreadForever pins the calling goroutine to its OS thread for the rest
// of its life. When such a goroutine returns, the runtime ends the thread
// instead of reusing it, which is what fires a child's parent-death signal.
func lockThreadForever() { runtime.LockOSThread() }
