package ping

import (
	"net"
	"syscall"
)

// icmpFilter is Linux's ICMP_FILTER option (level SOL_RAW): a mask of the
// ICMP types a raw socket is not to receive.
const icmpFilter = 1

// keepReplies makes the kernel queue on a raw socket only the types the
// reader parses: echo reply, destination unreachable, time exceeded. A raw
// socket otherwise gets a copy of every ICMP packet of the host, on
// loopback each of the engine's own requests too: at 20,000 targets a
// second that doubled the reader's work and the socket buffer it needs
// between two of its turns on the CPU.
func keepReplies(c net.PacketConn) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return
	}
	mask := ^uint32(1<<typeEchoReply | 1<<typeUnreachable | 1<<typeTimeExceed)
	_ = raw.Control(func(fd uintptr) {
		_ = syscall.SetsockoptInt(int(fd), syscall.SOL_RAW, icmpFilter, int(int32(mask)))
	})
}
