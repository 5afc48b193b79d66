package probe

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// Source binds a probe's traffic to one uplink of the agent, so the same
// probe set can be measured over several networks (ours and competitors')
// from one box. The zero Source leaves the choice to the host's routing.
type Source struct {
	// Network names the uplink's network; it becomes the "network" tag.
	Network string
	// Interface binds sockets to a device with SO_BINDTODEVICE: packets
	// leave through it whatever the routing table prefers (Linux only).
	Interface string
	// Address binds sockets to a local address; with policy routing (or an
	// interface) it selects the uplink, and it is the source the far end sees.
	Address netip.Addr
}

// Bound reports whether s binds anything.
func (s Source) Bound() bool { return s.Interface != "" || s.Address.IsValid() }

// Control is a net.Dialer / net.ListenConfig Control function that binds the
// socket to s.Interface (no-op without one).
func (s Source) Control(_, _ string, c syscall.RawConn) error {
	if s.Interface == "" {
		return nil
	}
	var serr error
	if err := c.Control(func(fd uintptr) { serr = bindToDevice(int(fd), s.Interface) }); err != nil {
		return err
	}
	if serr != nil {
		return fmt.Errorf("bind to interface %s: %w", s.Interface, serr)
	}
	return nil
}

// DialContext dials like a net.Dialer bound to s: through s.Interface, from
// s.Address (as a TCP or UDP local address, as the network asks).
func (s Source) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	d := net.Dialer{Control: s.Control}
	if s.Address.IsValid() {
		ip := s.Address.AsSlice()
		switch network {
		case "tcp", "tcp4", "tcp6":
			d.LocalAddr = &net.TCPAddr{IP: ip}
		case "udp", "udp4", "udp6":
			d.LocalAddr = &net.UDPAddr{IP: ip}
		}
	}
	return d.DialContext(ctx, network, address)
}
