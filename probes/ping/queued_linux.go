package ping

import (
	"net"
	"syscall"
	"unsafe"
)

// siocinq is SIOCINQ (FIONREAD): on a raw socket, the length of the next
// queued packet, 0 when the receive queue is empty.
const siocinq = 0x541B

// queuedBytes reports whether c's receive queue holds a packet; ok is false
// when the kernel cannot tell (then the reader is taken to be current).
func queuedBytes(c net.PacketConn) (n int, ok bool) {
	sc, isSys := c.(syscall.Conn)
	if !isSys {
		return 0, false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return 0, false
	}
	var v int32
	var errno syscall.Errno
	if err := raw.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, siocinq, uintptr(unsafe.Pointer(&v)))
	}); err != nil || errno != 0 {
		return 0, false
	}
	return int(v), true
}
