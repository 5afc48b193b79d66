package ping

import (
	"net"
	"syscall"
	"time"
	"unsafe"
)

// Kernel receive timestamps (SO_TIMESTAMPNS) make an RTT independent of
// when the reader goroutine got to run: with the agent on one CPU, a reply
// may wait behind a batch being encoded, and that wait is not the network's.

// enableRxTimestamps asks the kernel to stamp every received packet, and
// to tell with it how many packets the socket dropped so far (a receive
// queue that overflowed while the reader was kept from the CPU).
func enableRxTimestamps(c net.PacketConn) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return
	}
	_ = raw.Control(func(fd uintptr) {
		_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, 1)
		_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RXQ_OVFL, 1)
	})
}

// oobSize holds an SCM_TIMESTAMPNS and an SO_RXQ_OVFL control message.
var oobSize = syscall.CmsgSpace(int(unsafe.Sizeof(syscall.Timespec{}))) + syscall.CmsgSpace(4)

// readStamped reads one ICMP message (without IP header) and its kernel
// receive time (or the time of the read when the kernel gave none), and
// the socket's drop count when the kernel gave it (0 before any drop).
func readStamped(c net.PacketConn, b, oob []byte) (msg []byte, from net.Addr, at time.Time, drops uint32, err error) {
	var n, oobn int
	switch c := c.(type) {
	case *net.IPConn:
		// Unlike ReadFrom, ReadMsgIP leaves a raw socket's IPv4 header in.
		n, oobn, _, from, err = c.ReadMsgIP(b, oob)
		if err == nil {
			n = copy(b, stripIPv4Header(b[:n]))
		}
	case *net.UDPConn:
		n, oobn, _, from, err = c.ReadMsgUDP(b, oob)
	case interface {
		readAt([]byte) (int, net.Addr, time.Time, error)
	}:
		// A connection that knows its packets' receive times (the tests'
		// stand-in for the kernel's stamps).
		n, from, at, err = c.readAt(b)
		return b[:max(n, 0)], from, at, 0, err
	default:
		n, from, err = c.ReadFrom(b)
	}
	at = time.Now()
	n = max(n, 0) // some error paths report -1
	if err != nil || oobn == 0 {
		return b[:n], from, at, 0, err
	}
	ts, drops := kernelInfo(oob[:oobn])
	if !ts.IsZero() {
		at = ts
	}
	return b[:n], from, at, drops, nil
}

func stripIPv4Header(b []byte) []byte {
	if len(b) < 20 || b[0]>>4 != 4 {
		return b
	}
	ihl := int(b[0]&0x0f) * 4
	if ihl < 20 || ihl > len(b) {
		return b
	}
	return b[ihl:]
}

// kernelInfo is the receive time (zero if none) and the drop count in a
// packet's control messages.
func kernelInfo(oob []byte) (at time.Time, drops uint32) {
	msgs, _ := syscall.ParseSocketControlMessage(oob)
	for _, m := range msgs {
		switch {
		case m.Header.Level != syscall.SOL_SOCKET:
		case m.Header.Type == syscall.SCM_TIMESTAMPNS && len(m.Data) >= int(unsafe.Sizeof(syscall.Timespec{})):
			ts := (*syscall.Timespec)(unsafe.Pointer(&m.Data[0]))
			at = time.Unix(ts.Unix())
		case m.Header.Type == syscall.SO_RXQ_OVFL && len(m.Data) >= 4:
			drops = *(*uint32)(unsafe.Pointer(&m.Data[0]))
		}
	}
	return at, drops
}

// rttBetween is the RTT from a send time (monotonic) to a receive time,
// all offsets from the engine's epoch. The kernel's stamp is wall-clock
// only, so a clock step between the two could make it absurd; then the
// monotonic now is used.
func rttBetween(sent, received, now time.Duration) time.Duration {
	rtt := received - sent
	if rtt < 0 || rtt > now-sent {
		return now - sent
	}
	return rtt
}
