package ping

import (
	"context"
	"net"
	"os"
	"syscall"

	"github.com/vantage-net/vantage/internal/clock"
	"github.com/vantage-net/vantage/probes/probe"
)

// A probe bound to an uplink (probe.Source) gets an engine of its own: the
// shared engine's socket leaves by whatever route the host prefers, and a
// socket can be bound to one device and one address only. A comparison
// agent has a few uplinks, so a few sockets more.

// newBoundEngine opens an engine whose socket is bound to src.
func newBoundEngine(src probe.Source) (*Engine, error) {
	s, rawErr := openRawBound(src)
	if rawErr == nil {
		return startEngine(s, nil, clock.Real{}), nil
	}
	s, dgramErr := openDatagramBound(src)
	if dgramErr == nil {
		return startEngine(s, nil, clock.Real{}), nil
	}
	return nil, permissionError(rawErr, dgramErr)
}

func openRawBound(src probe.Source) (*socket, error) {
	addr := "0.0.0.0"
	if src.Address.IsValid() {
		addr = src.Address.String()
	}
	lc := net.ListenConfig{Control: src.Control}
	c, err := lc.ListenPacket(context.Background(), "ip4:icmp", addr)
	if err != nil {
		return nil, err
	}
	growConnBuffer(c)
	keepReplies(c)
	return &socket{conn: c, raw: true}, nil
}

func openDatagramBound(src probe.Source) (*socket, error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, syscall.IPPROTO_ICMP)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	growBuffer(fd)
	if src.Interface != "" {
		if err := bindDevice(fd, src.Interface); err != nil {
			syscall.Close(fd)
			return nil, err
		}
	}
	var sa syscall.SockaddrInet4
	if src.Address.Is4() {
		sa.Addr = src.Address.As4()
	}
	if err := syscall.Bind(fd, &sa); err != nil {
		syscall.Close(fd)
		return nil, os.NewSyscallError("bind", err)
	}
	f := os.NewFile(uintptr(fd), "icmp-datagram")
	c, err := net.FilePacketConn(f)
	f.Close()
	if err != nil {
		return nil, err
	}
	return &socket{conn: c}, nil
}
