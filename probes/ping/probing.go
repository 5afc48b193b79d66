package ping

import (
	"context"
	"net"
	"net/netip"
	"time"

	probing "github.com/prometheus-community/pro-bing"

	"github.com/vantage-net/vantage/probes/probe"
)

// proBingRound runs one round with a pro-bing Pinger of its own. It is the
// engine for IPv6 and for probes that ask for it; see the package doc for
// why it is not the default at fan-out.
func proBingRound(ctx context.Context, dst netip.Addr, o Options, privileged bool, src probe.Source) roundStats {
	var st roundStats
	p := probing.New(dst.String())
	p.InterfaceName = src.Interface
	if src.Address.IsValid() {
		p.Source = src.Address.String()
	}
	p.SetIPAddr(&net.IPAddr{IP: dst.AsSlice(), Zone: dst.Zone()})
	p.SetPrivileged(privileged)
	p.SetLogger(probing.NoopLogger{})
	p.Count = o.Count
	p.Interval = o.PacketInterval
	p.Size = o.Size
	// pro-bing keeps every RTT and TTL by default; a prober that runs every
	// second for months must not grow with each packet.
	p.RecordRtts = false
	p.RecordTTLs = false
	// Its default timeout is forever: bound the round by the context's
	// deadline (the agent always sets one) and by a fallback.
	p.Timeout = time.Duration(o.Count)*o.PacketInterval + 2*time.Second
	if d, ok := ctx.Deadline(); ok {
		p.Timeout = time.Until(d)
	}
	p.OnRecv = func(pkt *probing.Packet) { st.add(pkt.Rtt) }
	err := p.RunWithContext(ctx)
	stats := p.Statistics()
	st.Sent = stats.PacketsSent
	// OnRecv runs on the pinger's goroutine, which RunWithContext has joined.
	if err != nil && ctx.Err() == nil {
		st.Err, st.Detail = probe.Classify(err), err.Error()
	}
	return st
}
