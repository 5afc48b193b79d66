//go:build !linux

package ping

import "net"

// keepReplies is Linux's ICMP_FILTER; elsewhere the reader drops what it
// does not parse.
func keepReplies(net.PacketConn) {}
