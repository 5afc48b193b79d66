package trap

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/gosnmp/gosnmp"
	prometheus "github.com/vantage-net/vantage/internal/metrics"

	"github.com/vantage-net/vantage/probes/probe"
	"github.com/vantage-net/vantage/probes/snmp"
)

// LookupFunc returns what the poller last knew about an interface of a
// device (by device tag and ifIndex); see snmp.Prober.Lookup.
type LookupFunc func(device string, ifIndex int) (snmp.IfInfo, bool)

// Options configure a Listener.
type Options struct {
	// Config is a decoded, valid traps block (see DecodeConfig).
	Config *Config
	// Forward receives every accepted trap as an snmp_event sample whose
	// Time is the trap's arrival. It is called from the listener's one
	// worker, in arrival order; while it blocks, traps wait in the queue
	// (Config.Queue) and beyond that are dropped and counted.
	Forward func(probe.Sample)
	// Lookup names interfaces from the poller's view; nil: traps name
	// interfaces only from their own varbinds.
	Lookup LookupFunc
	// Logger and Registerer as everywhere; nil means discard / do not register.
	Logger     *slog.Logger
	Registerer prometheus.Registerer
	// Now is the clock for arrival times; nil means time.Now.
	Now func() time.Time
}

// Listener receives traps until Close.
type Listener struct {
	conn     *net.UDPConn
	queue    chan datagram
	sources  map[netip.Addr]*source
	decoders map[netip.Addr]*decoders
	forward  func(probe.Sample)
	lookup   LookupFunc
	now      func() time.Time
	log      *slog.Logger
	m        *metrics
	limit    logLimiter

	readDone chan struct{}
	workDone chan struct{}
	once     sync.Once
}

// datagram is one read, as the read loop hands it to the worker.
type datagram struct {
	from netip.AddrPort
	data []byte
	at   time.Time
}

// Listen binds the configured UDP address and starts receiving.
func Listen(o Options) (*Listener, error) {
	l, err := build(o)
	if err != nil {
		return nil, err
	}
	addr, err := net.ResolveUDPAddr("udp", o.Config.Listen)
	if err != nil {
		return nil, fmt.Errorf("trap listener %s: %w", o.Config.Listen, err)
	}
	l.conn, err = net.ListenUDP("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("trap listener: %w", err)
	}
	// A storm arrives faster than any decoder: let the kernel hold a burst
	// while the read loop catches up (the OS may cap the size).
	_ = l.conn.SetReadBuffer(4 << 20)
	go l.read()
	go l.work()
	l.log.Info("snmp trap listener running", "listen", l.conn.LocalAddr().String(), "sources", len(l.sources))
	return l, nil
}

// build prepares a listener without a socket: Listen binds it, and the
// fuzz target drives handle directly.
func build(o Options) (*Listener, error) {
	if o.Config == nil || o.Forward == nil {
		return nil, errors.New("trap listener: Config and Forward are required")
	}
	l := &Listener{
		queue: make(chan datagram, o.Config.Queue), sources: o.Config.sources(),
		decoders: map[netip.Addr]*decoders{}, forward: o.Forward, lookup: o.Lookup, now: o.Now, log: o.Logger,
		limit:    logLimiter{every: 10 * time.Second, last: map[string]time.Time{}, quiet: map[string]int{}},
		readDone: make(chan struct{}), workDone: make(chan struct{}),
	}
	if l.now == nil {
		l.now = time.Now
	}
	if l.log == nil {
		l.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	for a, s := range l.sources {
		d, err := newDecoders(s)
		if err != nil {
			return nil, fmt.Errorf("trap source %s: %w", a, err)
		}
		l.decoders[a] = d
	}
	l.m = newMetrics(o.Registerer, func() float64 { return float64(len(l.queue)) })
	return l, nil
}

// Addr is the bound address (useful with port 0).
func (l *Listener) Addr() net.Addr { return l.conn.LocalAddr() }

// Close stops reading, forwards what is already queued, and returns when
// both goroutines have ended.
func (l *Listener) Close() error {
	var err error
	l.once.Do(func() {
		err = l.conn.Close()
		<-l.readDone
		close(l.queue)
		<-l.workDone
	})
	return err
}

// read is the socket loop. It does nothing slow: copy, stamp, enqueue or
// drop. Decoding and forwarding happen in work.
func (l *Listener) read() {
	defer close(l.readDone)
	buf := make([]byte, 65536)
	for {
		n, from, err := l.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			l.limit.log(l.log, "read", "snmp trap socket read failed", "error", err)
			continue
		}
		l.m.received.Inc()
		d := datagram{from: netip.AddrPortFrom(from.Addr().Unmap(), from.Port()), data: bytes.Clone(buf[:n]), at: l.now()}
		select {
		case l.queue <- d:
		default:
			// Dropping the newest keeps the ones already queued in order;
			// blocking here would lose traps in the kernel instead, uncounted.
			l.dropped(d, drop(DropQueueFull, "hand-off queue full (%d)", cap(l.queue)))
		}
	}
}

// work decodes, maps and forwards queued datagrams one at a time.
func (l *Listener) work() {
	defer close(l.workDone)
	for d := range l.queue {
		l.handle(d)
	}
}

// handle is one datagram's whole path after the queue.
func (l *Listener) handle(d datagram) {
	src, dec := l.sources[d.from.Addr()], l.decoders[d.from.Addr()]
	if src == nil {
		l.dropped(d, drop(DropUnknownSource, "source address is not under traps.devices"))
		return
	}
	pkt, err := dec.decode(d.data)
	if err != nil {
		var de *dropError
		if !errors.As(err, &de) {
			de = drop(DropMalformed, "%v", err)
		}
		l.dropped(d, de)
		return
	}
	if pkt.PDUType == gosnmp.InformRequest {
		l.ack(pkt, d.from)
	}
	ev, ok := toEvent(src, pkt, d.at, l.lookup)
	if !ok {
		l.dropped(d, drop(DropUnhandled, "not a coldStart, warmStart, linkDown or linkUp trap"))
		return
	}
	l.forward(ev.Sample())
	l.m.forwarded.WithLabelValues(ev.Kind).Inc()
	l.m.handoff.Observe(l.now().Sub(d.at).Seconds())
	l.log.Debug("snmp trap forwarded", "device", ev.Device, "kind", ev.Kind, "ifindex", ev.IfIndex, "line", ev.Line)
}

// ack answers an inform as gosnmp's TrapListener does: the same PDU back as
// a response. Failure is logged; the event is forwarded regardless.
func (l *Listener) ack(pkt *gosnmp.SnmpPacket, to netip.AddrPort) {
	if l.conn == nil {
		return // built without a socket (fuzzing)
	}
	defer func() {
		if r := recover(); r != nil {
			l.limit.log(l.log, "inform", "snmp inform not acknowledged", "source", to.Addr().String(), "error", fmt.Sprint(r))
		}
	}()
	pkt.PDUType, pkt.Error, pkt.ErrorIndex = gosnmp.GetResponse, gosnmp.NoError, 0
	b, err := pkt.MarshalMsg()
	if err == nil {
		_, err = l.conn.WriteToUDPAddrPort(b, to)
	}
	if err != nil {
		l.limit.log(l.log, "inform", "snmp inform not acknowledged", "source", to.Addr().String(), "error", err)
	}
}

// dropped counts a refused datagram and logs it, rate-limited per reason.
// The log carries the source address and the reason, never the community.
func (l *Listener) dropped(d datagram, e *dropError) {
	l.m.dropped.WithLabelValues(e.reason).Inc()
	l.limit.log(l.log, e.reason, "snmp trap dropped", "source", d.from.Addr().String(), "reason", e.reason, "detail", e.msg)
}

// logLimiter logs at most once per key every `every`, and says how many it
// kept quiet about: a storm of bad traps must not become a storm of logs.
type logLimiter struct {
	mu    sync.Mutex
	every time.Duration
	last  map[string]time.Time
	quiet map[string]int
}

func (ll *logLimiter) log(log *slog.Logger, key, msg string, args ...any) {
	ll.mu.Lock()
	now := time.Now()
	if now.Sub(ll.last[key]) < ll.every {
		ll.quiet[key]++
		ll.mu.Unlock()
		return
	}
	n := ll.quiet[key]
	ll.last[key], ll.quiet[key] = now, 0
	ll.mu.Unlock()
	if n > 0 {
		args = append(args, "suppressed", n)
	}
	log.Warn(msg, args...)
}
