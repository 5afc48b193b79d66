package ping

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
)

// socket is an IPv4 ICMP socket: raw (CAP_NET_RAW) or an unprivileged ICMP
// datagram socket ("ping socket", allowed by net.ipv4.ping_group_range).
type socket struct {
	conn net.PacketConn
	// raw sockets see every ICMP packet of the host and need our echo id to
	// tell ours apart; datagram sockets get only replies to their own id.
	raw bool
}

// readBuffer is sized for bursts: 5,000 replies of ~100 bytes arriving in
// the same millisecond must not overflow the socket before the reader runs,
// nor 20,000 a second while the reader waits 100 ms for a CPU.
const readBuffer = 4 << 20

// growBuffer sets the socket's receive buffer to readBuffer: past
// net.core.rmem_max (212,992 bytes by default, about 300 replies) where
// the process may (SO_RCVBUFFORCE needs CAP_NET_ADMIN, as root has), else
// up to it.
func growBuffer(fd int) { setReadBuffer(fd, syscall.SetsockoptInt) }

// setReadBuffer is growBuffer with the setsockopt call given, so a test can
// refuse SO_RCVBUFFORCE as the kernel does for an agent without
// CAP_NET_ADMIN (the packaged unit grants only CAP_NET_RAW).
func setReadBuffer(fd int, setsockopt func(fd, level, opt, value int) error) {
	if setsockopt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUFFORCE, readBuffer) != nil {
		_ = setsockopt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUF, readBuffer)
	}
}

// growConnBuffer is growBuffer for an open connection.
func growConnBuffer(c net.PacketConn) {
	if sc, ok := c.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			_ = raw.Control(func(fd uintptr) { growBuffer(int(fd)) })
		}
	}
}

// openSocket opens a raw socket if the process may, else a datagram socket,
// else returns an error saying what to change on the host.
func openSocket() (*socket, error) {
	s, rawErr := openRaw()
	if rawErr == nil {
		return s, nil
	}
	s, dgramErr := openDatagram()
	if dgramErr == nil {
		return s, nil
	}
	return nil, permissionError(rawErr, dgramErr)
}

func openRaw() (*socket, error) {
	c, err := net.ListenPacket("ip4:icmp", "0.0.0.0")
	if err != nil {
		return nil, err
	}
	growConnBuffer(c)
	keepReplies(c)
	return &socket{conn: c, raw: true}, nil
}

func openDatagram() (*socket, error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, syscall.IPPROTO_ICMP)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	growBuffer(fd)
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{}); err != nil {
		syscall.Close(fd)
		return nil, os.NewSyscallError("bind", err)
	}
	f := os.NewFile(uintptr(fd), "icmp-datagram")
	c, err := net.FilePacketConn(f)
	f.Close() // FilePacketConn dups the descriptor
	if err != nil {
		return nil, err
	}
	return &socket{conn: c}, nil
}

// permissionError names both ways out, because which one an operator can
// use depends on how the agent is packaged (systemd unit, container, setcap).
func permissionError(rawErr, dgramErr error) error {
	rng := "unknown"
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ping_group_range"); err == nil {
		rng = strings.Join(strings.Fields(string(b)), " ")
	}
	msg := fmt.Sprintf("ping: no ICMP socket allowed: raw socket: %v (needs root or CAP_NET_RAW, e.g. "+
		"`setcap cap_net_raw+ep vantage-agent` or AmbientCapabilities=CAP_NET_RAW in the systemd unit); "+
		"unprivileged ICMP socket: %v (group %d must be inside net.ipv4.ping_group_range, now %q; e.g. "+
		"`sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"`)", rawErr, dgramErr, os.Getgid(), rng)
	return errors.New(msg)
}

// addr is the destination address for this kind of socket.
func (s *socket) addr(ip net.IP) net.Addr {
	if s.raw {
		return &net.IPAddr{IP: ip}
	}
	return &net.UDPAddr{IP: ip}
}

// queued is the length of the next packet in the socket's receive queue (0:
// empty); ok is false when that cannot be known.
func (s *socket) queued() (n int, ok bool) {
	if q, isQ := s.conn.(interface{ queued() (int, bool) }); isQ {
		return q.queued()
	}
	return queuedBytes(s.conn)
}

// fromIP extracts the source IPv4 address of a received packet.
func fromIP(a net.Addr) (ip [4]byte, ok bool) {
	var v net.IP
	switch a := a.(type) {
	case *net.IPAddr:
		v = a.IP
	case *net.UDPAddr:
		v = a.IP
	}
	if v4 := v.To4(); v4 != nil {
		copy(ip[:], v4)
		return ip, true
	}
	return ip, false
}
