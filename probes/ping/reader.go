package ping

import (
	"errors"
	"net"
	"time"

	"github.com/vantage-net/vantage/probes/probe"
)

// read is the engine's only reader. It never blocks on a round: a round's
// done must not block.
func (e *Engine) read() {
	defer e.wg.Done()
	buf := make([]byte, 1500)
	oob := make([]byte, oobSize)
	var dropped uint32
	for {
		msg, from, stamp, drops, err := readStamped(e.sock.conn, buf, oob)
		if err != nil {
			select {
			case <-e.closed:
				return
			default:
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			e.stats.readErrors.Inc()
			continue
		}
		if drops > dropped {
			e.stats.drops.Add(float64(drops - dropped))
			dropped = drops
		}
		// One reading holds both clocks: Sub from epoch is monotonic,
		// Sub from the (wall-only) stamp is by the wall clock.
		now := e.clock.Now()
		if fin := e.receive(msg, from, stamp, now.Sub(e.epoch), now); fin != nil {
			fin()
		}
		if e.nHeld.Load() > 0 {
			e.poke() // a held round may be owed nothing more
		}
	}
}

// receive matches one packet the kernel stamped at stamp (wall clock
// only), read when the engine's monotonic offset was now and the wall
// clock read wall, and returns what match returns. The stamp is placed by
// its age on the wall clock, now less wall minus stamp, not by stamp minus
// epoch: a CPE without a real-time clock steps its wall clock by decades
// when NTP first answers, and every reply after that would be judged
// decades late (lost).
func (e *Engine) receive(msg []byte, from net.Addr, stamp time.Time, now time.Duration, wall time.Time) func() {
	at := now - wall.Sub(stamp)
	e.holding.Store(true)
	fin := e.match(msg, from, at, now)
	e.readUpTo.Store(int64(at))
	e.holding.Store(false)
	return fin
}

// match hands one received packet, received by the kernel at at (an
// offset from epoch), to the
// round waiting for it, and returns the call that ends the round if this
// was its last answer.
func (e *Engine) match(msg []byte, from net.Addr, at, now time.Duration) func() {
	src, ok := fromIP(from)
	if !ok {
		return nil
	}
	r, ok := parseReply(msg, src)
	if !ok || !e.ours(r) {
		return nil
	}
	k := flightKey{dst: r.dst, seq: r.seq}
	e.mu.Lock()
	defer e.mu.Unlock()
	f, found := e.pending[k]
	if !found {
		e.stats.late.Inc()
		return nil
	}
	delete(e.pending, k)
	rd := f.r
	rd.inflight--
	switch {
	case at > rd.deadline:
		// Received after its round's time was up: lost, however soon
		// the reader got to it.
		e.stats.late.Inc()
		e.stats.unanswered.Inc()
	case r.kind == typeUnreachable:
		e.stats.unreachable.Inc()
		rd.st.Err, rd.st.Detail = probe.ErrUnreachable, "ICMP destination unreachable from the network"
	default:
		e.stats.replies.Inc()
		rd.st.add(rttBetween(f.sent, at, now))
	}
	return e.settleLocked(rd)
}

// ours tells the engine's replies from other programs'. A datagram socket
// only ever receives its own; the kernel rewrites the id, so only the token
// can be checked there.
func (e *Engine) ours(r reply) bool {
	if r.kind == typeUnreachable && r.token == 0 {
		return !e.sock.raw || r.id == e.id
	}
	if r.token != e.token {
		return false
	}
	return !e.sock.raw || r.id == e.id
}
