package ping

import (
	"context"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vantage-net/vantage/internal/clock"
	"github.com/vantage-net/vantage/probes/probe"
)

// Engine pings many IPv4 targets through one ICMP socket. A round is a
// record, not a goroutine: its first request is written by the caller of
// Start, one timer loop (wheel.go) writes the rest and ends rounds at their
// deadline, and one reader (reader.go) matches replies to requests by
// (destination, sequence). So a CPU-starved agent whose rounds outlive
// their slot holds a few hundred bytes per round, not a goroutine stack.
type Engine struct {
	sock  *socket
	id    uint16
	token uint64
	clock clock.Clock
	// epoch is when the engine started: its times are offsets from it
	// (monotonic, and cheap to compare on a 32-bit CPU, unlike time.Time).
	epoch time.Time
	grace time.Duration // readerGrace

	mu      sync.Mutex
	seq     uint16
	pending map[flightKey]flight
	timers  roundHeap     // rounds by their next send, or deadline once all are sent
	held    []*round      // rounds past their deadline waiting for the reader, by deadline
	armed   time.Duration // when the loop's timer fires: an earlier round must wake it
	shut    bool          // closed: rounds end as they start

	// readUpTo is the kernel receive time (an offset from epoch) of the
	// last packet the reader finished with; holding says it has one read but not matched.
	// A round whose deadline passed while the reader is behind is held
	// until the reader passes its deadline (or the grace runs out): its
	// reply may be in the queue, received in time.
	readUpTo atomic.Int64
	holding  atomic.Bool
	nHeld    atomic.Int32
	wake     chan struct{} // pokes the loop: an earlier timer, reader progress

	stats  *engineMetrics
	closed chan struct{}
	wg     sync.WaitGroup
}

type flightKey struct {
	dst [4]byte
	seq uint16
}

type flight struct {
	r    *round
	sent time.Duration
}

// round is one round's state from Start until done is called.
type round struct {
	dst      [4]byte
	addr     net.Addr
	size     int
	left     int // requests still to write
	gap      time.Duration
	next     time.Duration // the next write, or the deadline once all are written
	deadline time.Duration
	inflight int // written, neither answered nor given up
	seqs     []uint16
	seq1     [1]uint16 // seqs' room for a round of one request
	st       roundStats
	done     func(roundStats)
	index    int  // in timers; -1 when not there
	over     bool // done was called (or is about to be)
}

// readerGrace bounds how long a round whose time is up waits for a reader
// that is behind. A held round costs a record, not a goroutine, so it may
// wait long: a job whose round is held past its next slot has that slot
// skipped (counted), which is what an agent short of CPU should do rather
// than report replies it has not read yet as lost.
const readerGrace = time.Second

// NewEngine opens the socket (raw if allowed, else datagram) and starts the
// reader and the timer loop. m may be nil.
func NewEngine(m *engineMetrics) (*Engine, error) {
	s, err := openSocket()
	if err != nil {
		return nil, err
	}
	return startEngine(s, m, clock.Real{}), nil
}

func startEngine(s *socket, m *engineMetrics, c clock.Clock) *Engine {
	if m == nil {
		m = newEngineMetrics()
	}
	e := &Engine{
		sock:    s,
		id:      uint16(rand.Uint32()),
		token:   rand.Uint64(),
		clock:   c,
		epoch:   c.Now(),
		grace:   readerGrace,
		seq:     uint16(rand.Uint32()),
		pending: make(map[flightKey]flight),
		wake:    make(chan struct{}, 1),
		stats:   m,
		closed:  make(chan struct{}),
	}
	enableRxTimestamps(s.conn)
	e.wg.Add(2)
	go e.read()
	go e.loop()
	return e
}

// Raw reports whether the engine's socket is a raw socket.
func (e *Engine) Raw() bool { return e.sock.raw }

// Close stops the reader and the loop (which ends every round left) and
// closes the socket.
func (e *Engine) Close() error {
	select {
	case <-e.closed:
		return nil
	default:
	}
	close(e.closed)
	err := e.sock.conn.Close()
	e.wg.Wait()
	return err
}

// Start begins a round against an IPv4 address: count requests of size
// payload bytes, gap apart, answered by timeout from now. It writes the first request before it
// returns; done is called once, when every request is answered or the time
// is up, from the engine's goroutines (or from Start when the round ends at
// once), and must not block.
func (e *Engine) Start(dst netip.Addr, count int, gap, timeout time.Duration, size int, done func(roundStats)) {
	e.begin(dst, count, gap, timeout, size, done)
}

func (e *Engine) begin(dst netip.Addr, count int, gap, timeout time.Duration, size int, done func(roundStats)) *round {
	now := e.now()
	r := &round{dst: dst.As4(), size: size, left: count, gap: gap, deadline: now + timeout, done: done, index: -1}
	r.addr = e.sock.addr(net.IP(r.dst[:]))
	r.seqs = r.seq1[:0]
	e.send(r, now)
	return r
}

// now is the engine's clock as an offset from its epoch.
func (e *Engine) now() time.Duration { return e.clock.Now().Sub(e.epoch) }

// Ping runs one round (IPv4) and waits for it: until every reply came back
// or ctx ends (then as Start's deadline would). A ctx without a deadline gets
// one, so a lost reply never holds a round forever.
func (e *Engine) Ping(ctx context.Context, dst netip.Addr, count int, gap time.Duration, size int) roundStats {
	timeout := time.Duration(count)*gap + 2*time.Second
	if d, ok := ctx.Deadline(); ok {
		timeout = time.Until(d)
	}
	out := make(chan roundStats, 1)
	r := e.begin(dst, count, gap, timeout, size, func(st roundStats) { out <- st })
	select {
	case st := <-out:
		return st
	case <-ctx.Done():
	}
	// Time is up early (cancelled): end the round now, as its deadline
	// would, the reader's lag included.
	e.mu.Lock()
	if now := e.now(); !r.over && now < r.deadline {
		r.left, r.deadline, r.next = 0, now, now
		e.scheduleLocked(r)
	}
	e.mu.Unlock()
	return <-out
}

// send writes r's next request at now and schedules what follows: the next
// request, or the deadline. Requests never go out after the deadline.
func (e *Engine) send(r *round, now time.Duration) {
	pkt := make([]byte, 8+r.size)
	e.mu.Lock()
	if r.over || r.left <= 0 {
		e.mu.Unlock()
		return
	}
	if e.shut {
		fin := e.endLocked(r) // closed: nothing would time it
		e.mu.Unlock()
		fin()
		return
	}
	e.seq++
	k := flightKey{dst: r.dst, seq: e.seq}
	e.pending[k] = flight{r: r, sent: now}
	r.seqs = append(r.seqs, k.seq)
	r.left--
	r.inflight++
	// A request the kernel would not send (no route: the CPE's uplink is
	// down) still counts as sent and lost: that is what the line did.
	r.st.Sent++
	r.next = r.deadline
	if n := now + r.gap; r.left > 0 && n < r.deadline {
		r.next = n
	} else {
		r.left = 0
	}
	e.scheduleLocked(r)
	e.mu.Unlock()

	marshalEcho(pkt, e.id, k.seq, e.token)
	_, err := e.sock.conn.WriteTo(pkt, r.addr)
	if err == nil {
		e.stats.sent.Inc()
		return
	}
	e.stats.sendErrors.Inc()
	e.mu.Lock()
	var fin func()
	if _, ok := e.pending[k]; ok {
		delete(e.pending, k)
		r.inflight--
		r.st.Err, r.st.Detail = probe.Classify(err), err.Error()
		fin = e.settleLocked(r)
	}
	e.mu.Unlock()
	if fin != nil {
		fin()
	}
}

// settleLocked ends r if nothing of it is left to write or to wait for,
// and returns the call of its done, to make without the lock.
func (e *Engine) settleLocked(r *round) func() {
	if r.over || r.left > 0 || r.inflight > 0 {
		return nil
	}
	return e.endLocked(r)
}

// endLocked ends r: its requests still in flight are unanswered (each
// request leaves pending exactly once, here or in the reader, so sent =
// replies + unreachable + unanswered + in flight).
func (e *Engine) endLocked(r *round) func() {
	r.over = true
	if r.index >= 0 {
		e.timers.remove(r)
	}
	left := 0
	for _, s := range r.seqs {
		k := flightKey{dst: r.dst, seq: s}
		if f, ok := e.pending[k]; ok && f.r == r {
			delete(e.pending, k)
			left++
		}
	}
	if left > 0 {
		e.stats.unanswered.Add(float64(left))
	}
	st, done := r.st, r.done
	return func() { done(st) }
}
