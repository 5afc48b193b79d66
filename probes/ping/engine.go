package ping

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vantage-net/vantage/probes/probe"
)

// Engine pings many IPv4 targets through one ICMP socket. Rounds register
// each request under (destination, sequence) before writing it; one reader
// goroutine matches replies and hands the RTT to the waiting round. This is
// what keeps 5,000 targets cheap: one socket, one reader, no per-target
// socket for the kernel to copy every reply into.
type Engine struct {
	sock  *socket
	id    uint16
	token uint64
	seq   atomic.Uint32

	mu      sync.Mutex
	pending map[flightKey]flight

	// readUpTo is the receive time (Unix ns) of the last packet the reader
	// finished with. A round whose time is up while the reader is behind
	// (packets queued, none read from after the deadline yet) waits for it
	// to pass the deadline: its reply may be in the queue, received in
	// time. waiters counts such rounds; while there are any, the reader
	// closes progress after each packet and makes a new one.
	readUpTo atomic.Int64
	holding  atomic.Bool // the reader has a packet read but not yet matched
	waiters  atomic.Int32
	progMu   sync.Mutex
	progress chan struct{}
	grace    time.Duration // readerGrace; longer in tests

	stats  *engineMetrics
	closed chan struct{}
	done   chan struct{}
}

type flightKey struct {
	dst [4]byte
	seq uint16
}

type flight struct {
	sent time.Time
	// deadline is the round's: a reply the kernel received after it is
	// late, however soon the reader gets to it.
	deadline time.Time
	to       chan<- echo
}

// readerGrace bounds how long a round whose time is up waits for a reader
// that is behind, so a starved reader cannot hold rounds forever.
const readerGrace = 100 * time.Millisecond

// echo is one answer delivered to a round.
type echo struct {
	rtt         time.Duration
	unreachable bool
}

// NewEngine opens the socket (raw if allowed, else datagram) and starts the
// reader. m may be nil.
func NewEngine(m *engineMetrics) (*Engine, error) {
	s, err := openSocket()
	if err != nil {
		return nil, err
	}
	return startEngine(s, m), nil
}

func startEngine(s *socket, m *engineMetrics) *Engine {
	if m == nil {
		m = newEngineMetrics()
	}
	e := &Engine{
		sock:     s,
		id:       uint16(rand.Uint32()),
		token:    rand.Uint64(),
		pending:  make(map[flightKey]flight),
		stats:    m,
		progress: make(chan struct{}),
		grace:    readerGrace,
		closed:   make(chan struct{}),
		done:     make(chan struct{}),
	}
	e.seq.Store(rand.Uint32())
	enableRxTimestamps(s.conn)
	go e.read()
	return e
}

// Raw reports whether the engine's socket is a raw socket.
func (e *Engine) Raw() bool { return e.sock.raw }

// Close stops the reader and closes the socket.
func (e *Engine) Close() error {
	select {
	case <-e.closed:
		return nil
	default:
	}
	close(e.closed)
	err := e.sock.conn.Close()
	<-e.done
	return err
}

// Ping runs one round: count requests of size payload bytes, gap apart, then
// waits for the replies until all came back or ctx ends. A round without a
// deadline gets one, so a lost reply never holds a round forever.
func (e *Engine) Ping(ctx context.Context, dst netip.Addr, count int, gap time.Duration, size int) roundStats {
	var st roundStats
	if !dst.Is4() {
		st.Err, st.Detail = probe.ErrOther, "shared engine is IPv4 only: "+dst.String()
		return st
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(count)*gap+2*time.Second)
		defer cancel()
	}
	deadline, _ := ctx.Deadline()
	a4 := dst.As4()
	to := net.IP(a4[:])
	addr := e.sock.addr(to)
	answers := make(chan echo, count)
	keys := make([]flightKey, 0, count)
	defer func() { e.forget(keys) }()

	pkt := make([]byte, 8+size)
	inflight := 0
	for i := 0; i < count; i++ {
		if i > 0 && !sleep(ctx, gap) {
			break
		}
		k := flightKey{dst: a4, seq: uint16(e.seq.Add(1))}
		marshalEcho(pkt, e.id, k.seq, e.token)
		e.mu.Lock()
		e.pending[k] = flight{sent: time.Now(), deadline: deadline, to: answers}
		e.mu.Unlock()
		keys = append(keys, k)
		// A request the kernel would not send (no route: the CPE's uplink is
		// down) still counts as sent and lost: that is what the line did.
		st.Sent++
		if _, err := e.sock.conn.WriteTo(pkt, addr); err != nil {
			e.stats.sendErrors.Inc()
			st.Err, st.Detail = probe.Classify(err), err.Error()
			e.drop(k)
			continue
		}
		e.stats.sent.Inc()
		inflight++
	}
	// The round ends when every request is answered, or when its time is
	// up and the reader has read everything the kernel received before
	// then (or readerGrace has passed): on a busy CPU the round's timer
	// may fire before the reader has had its turn at replies that came in
	// time.
	done := ctx.Done()
	var progress <-chan struct{}
	var grace <-chan time.Time
	for answered := 0; answered < inflight; {
		select {
		case a := <-answers:
			answered++
			if a.unreachable {
				st.Err, st.Detail = probe.ErrUnreachable, "ICMP destination unreachable from the network"
				continue
			}
			st.add(a.rtt)
		case <-done:
			done = nil
			e.waiters.Add(1)
			defer e.waiters.Add(-1)
			t := time.NewTimer(e.grace)
			defer t.Stop()
			grace = t.C
			if progress = e.progressed(); !e.behind(deadline) {
				return st
			}
		case <-progress:
			if progress = e.progressed(); !e.behind(deadline) {
				return st
			}
		case <-grace:
			return st
		}
	}
	return st
}

// progressed is closed when the reader next finishes a packet (while a
// round waits).
func (e *Engine) progressed() <-chan struct{} {
	e.progMu.Lock()
	defer e.progMu.Unlock()
	return e.progress
}

// behind reports whether the reader may not yet have matched a packet the
// kernel received before deadline: it has not finished one received after
// it, and it holds one or the socket's queue is not empty. (A packet the
// kernel has dequeued in a read that has not yet returned is missed: then
// its reply counts late, as it did before rounds waited at all.)
func (e *Engine) behind(deadline time.Time) bool {
	if e.readUpTo.Load() > deadline.UnixNano() {
		return false
	}
	if e.holding.Load() {
		return true
	}
	n, ok := e.sock.queued()
	return ok && n > 0
}

// forget removes the round's requests that were never answered, so a late
// reply is counted as late instead of reaching a finished round, and counts
// them as unanswered. Each request leaves pending exactly once, here or in
// the reader, so sent = replies + unreachable + unanswered + in flight.
func (e *Engine) forget(keys []flightKey) {
	left := 0
	e.mu.Lock()
	for _, k := range keys {
		if _, ok := e.pending[k]; ok {
			delete(e.pending, k)
			left++
		}
	}
	e.mu.Unlock()
	if left > 0 {
		e.stats.unanswered.Add(float64(left))
	}
}

func (e *Engine) drop(k flightKey) {
	e.mu.Lock()
	delete(e.pending, k)
	e.mu.Unlock()
}

// read is the engine's only reader. It never blocks on a round: each round's
// answer channel has room for every request it sent.
func (e *Engine) read() {
	defer close(e.done)
	buf := make([]byte, 1500)
	oob := make([]byte, oobSize)
	for {
		msg, from, at, err := readStamped(e.sock.conn, buf, oob)
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
		e.holding.Store(true)
		e.match(msg, from, at)
		e.readUpTo.Store(at.UnixNano())
		e.holding.Store(false)
		if e.waiters.Load() > 0 {
			e.progMu.Lock()
			close(e.progress)
			e.progress = make(chan struct{})
			e.progMu.Unlock()
		}
	}
}

// match hands one received packet, received by the kernel at at, to the
// round waiting for it.
func (e *Engine) match(msg []byte, from net.Addr, at time.Time) {
	src, ok := fromIP(from)
	if !ok {
		return
	}
	r, ok := parseReply(msg, src)
	if !ok || !e.ours(r) {
		return
	}
	k := flightKey{dst: r.dst, seq: r.seq}
	e.mu.Lock()
	f, found := e.pending[k]
	if found {
		delete(e.pending, k)
	}
	e.mu.Unlock()
	if !found {
		e.stats.late.Inc()
		return
	}
	if at.After(f.deadline) {
		// Received after its round's time was up: lost, as if the round
		// had given up on it already.
		e.stats.late.Inc()
		e.stats.unanswered.Inc()
		return
	}
	if r.kind == typeUnreachable {
		e.stats.unreachable.Inc()
		f.to <- echo{unreachable: true}
		return
	}
	e.stats.replies.Inc()
	f.to <- echo{rtt: rttBetween(f.sent, at, time.Now())}
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

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
