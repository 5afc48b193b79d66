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

// enableRxTimestamps asks the kernel to stamp every received packet.
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
	})
}

// oobSize holds one SCM_TIMESTAMPNS control message.
var oobSize = syscall.CmsgSpace(int(unsafe.Sizeof(syscall.Timespec{})))

// readStamped reads one ICMP message (without IP header) and its kernel
// receive time (or the time of the read when the kernel gave none).
func readStamped(c net.PacketConn, b, oob []byte) (msg []byte, from net.Addr, at time.Time, err error) {
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
		return b[:max(n, 0)], from, at, err
	default:
		n, from, err = c.ReadFrom(b)
	}
	at = time.Now()
	n = max(n, 0) // some error paths report -1
	if err != nil || oobn == 0 {
		return b[:n], from, at, err
	}
	if ts, ok := kernelTime(oob[:oobn]); ok {
		at = ts
	}
	return b[:n], from, at, nil
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

func kernelTime(oob []byte) (time.Time, bool) {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return time.Time{}, false
	}
	for _, m := range msgs {
		if m.Header.Level == syscall.SOL_SOCKET && m.Header.Type == syscall.SCM_TIMESTAMPNS &&
			len(m.Data) >= int(unsafe.Sizeof(syscall.Timespec{})) {
			ts := (*syscall.Timespec)(unsafe.Pointer(&m.Data[0]))
			return time.Unix(ts.Unix()), true
		}
	}
	return time.Time{}, false
}

// rttBetween is the RTT from a send time (with monotonic reading) to a
// receive time. The kernel's stamp is wall-clock only, so a clock step
// between the two could make it absurd; then the monotonic now is used.
func rttBetween(sent, received, now time.Time) time.Duration {
	rtt := received.Sub(sent)
	if rtt < 0 || rtt > now.Sub(sent) {
		return now.Sub(sent)
	}
	return rtt
}
