package fleetsim

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vantage-net/vantage/agent/publish"
	"github.com/vantage-net/vantage/internal/clock"
	"github.com/vantage-net/vantage/probes/result"
)

// RunOptions connect a plan to NATS.
type RunOptions struct {
	URL string
	// Passwords, when set, hold each agent's NATS password (agent auth on:
	// `vantage-controller agent add` or agentauth.Store.Add); the agent id
	// is the user. Nil: no credentials (agent auth off).
	Passwords map[string]string
	Clock     clock.Clock
	Logger    *slog.Logger
	// BatchMax and BatchDelay are the agents' publish settings (defaults
	// 500 and 250 ms, as vantage-agent's).
	BatchMax   int
	BatchDelay time.Duration
	// Started, if set, is called with second 0 of the run before any result
	// is produced, so the caller can write the ground truth.
	Started func(start time.Time)
}

// Stats count what a run published.
type Stats struct {
	Results, Published, Failed atomic.Int64
}

// Run publishes the plan's results: every line's 1-Hz ping rounds, each
// PoP device's SNMP interface poll every 10 s and each agent's heartbeat
// every 10 s, through the agents' own batcher, queue and sender. It
// returns after the plan's duration once every queue has drained.
func (p *Plan) Run(ctx context.Context, o RunOptions) (*Stats, error) {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.BatchMax == 0 {
		o.BatchMax = 500
	}
	if o.BatchDelay == 0 {
		o.BatchDelay = 250 * time.Millisecond
	}
	st := &Stats{}
	sims := make([]*simAgent, len(p.Agents))
	for i, a := range p.Agents {
		s, err := p.connect(a, o, st)
		if err != nil {
			for _, s := range sims[:i] {
				s.nc.Close()
			}
			return st, err
		}
		sims[i] = s
	}
	defer func() {
		for _, s := range sims {
			s.nc.Close()
		}
	}()
	// Second 0 is the next whole second.
	now := o.Clock.Now()
	start := now.Truncate(time.Second).Add(time.Second)
	p.Truth.Start = start
	if o.Started != nil {
		o.Started(start)
	}
	wait := o.Clock.NewTimer(start.Sub(now))
	select {
	case <-ctx.Done():
		return st, ctx.Err()
	case <-wait.C():
	}
	// Batchers stop when their input closes (flushing what they hold);
	// senders when the queues have drained or ctx ends.
	sendCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var batchers, senders sync.WaitGroup
	for _, s := range sims {
		batchers.Add(1)
		senders.Add(1)
		go func() { defer batchers.Done(); s.batcher.Run(context.Background(), s.in) }()
		go func() { defer senders.Done(); s.sender.Run(sendCtx) }()
	}
	stopAll := func() {
		for _, s := range sims {
			close(s.in)
		}
		batchers.Wait()
	}
	secs := int(p.Config.Duration / time.Second)
	tick := o.Clock.NewTicker(time.Second)
	defer tick.Stop()
	for sec := 0; sec < secs; sec++ {
		if sec > 0 {
			select {
			case <-ctx.Done():
				stopAll()
				cancel()
				senders.Wait()
				return st, ctx.Err()
			case <-tick.C():
			}
		}
		for _, s := range sims {
			s.round(start, sec, st)
		}
	}
	// Every held result has been released (silences end before the quiet
	// tail): flush the batchers, then wait for the queues to empty.
	stopAll()
	err := p.drain(ctx, o.Clock, sims)
	cancel()
	senders.Wait()
	return st, err
}

// drain waits until every agent's queue is empty.
func (p *Plan) drain(ctx context.Context, clk clock.Clock, sims []*simAgent) error {
	deadline := clk.NewTimer(2 * time.Minute)
	defer deadline.Stop()
	poll := clk.NewTicker(100 * time.Millisecond)
	defer poll.Stop()
	for {
		left := 0
		for _, s := range sims {
			left += s.queue.Results()
		}
		if left == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C():
			return fmt.Errorf("%d results still queued 2 minutes after the last round", left)
		case <-poll.C():
		}
	}
}

// simAgent is one agent's publishing path.
type simAgent struct {
	*Agent
	nc      *nats.Conn
	in      chan result.Result
	batcher *publish.Batcher
	queue   *publish.MemQueue
	sender  *publish.Sender
	held    []result.Result
	hbEvery int
}

func (p *Plan) connect(a *Agent, o RunOptions, st *Stats) (*simAgent, error) {
	// As the agent's linkUp: a reconnect wakes the sender out of the
	// backoff it grew while the connection was down (a NATS server of a
	// cluster stopped), so its results reach the stream at once, not up
	// to one more backoff later.
	wake := make(chan struct{}, 1)
	opts := []nats.Option{nats.Name("vantage-sim " + a.ID), nats.CustomInboxPrefix("_INBOX_" + a.ID),
		nats.ReconnectHandler(func(*nats.Conn) {
			select {
			case wake <- struct{}{}:
			default:
			}
		})}
	if o.Passwords != nil {
		pw, ok := o.Passwords[a.ID]
		if !ok {
			return nil, fmt.Errorf("agent %s: no password", a.ID)
		}
		opts = append(opts, nats.UserInfo(a.ID, pw))
	}
	nc, err := nats.Connect(o.URL, opts...)
	if err != nil {
		return nil, fmt.Errorf("agent %s: connect %s: %w", a.ID, o.URL, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, err
	}
	log := o.Logger.With("agent", a.ID)
	q := publish.NewMemQueue(10_000_000, func(n int) { log.Error("queue dropped results", "n", n) })
	s := &simAgent{Agent: a, nc: nc, queue: q, in: make(chan result.Result, 4*len(a.Lines)+16), hbEvery: 10}
	s.batcher = &publish.Batcher{Agent: a.ID, Max: o.BatchMax, Delay: o.BatchDelay, Queue: q, Clock: o.Clock,
		IDPrefix: fmt.Sprintf("%x", time.Now().UnixNano()), Logger: log}
	s.sender = &publish.Sender{Subject: "vantage.results." + a.ID, JS: js, Queue: q, Timeout: 10 * time.Second,
		Logger: log, Rand: rand.New(rand.NewSource(int64(len(a.ID)))), Wake: wake,
		Published: func(n int) { st.Published.Add(int64(n)) },
		Failed:    func(err error) { st.Failed.Add(1); log.Warn("publish failed", "err", err) }}
	return s, nil
}

// round produces second sec's results of one agent.
func (s *simAgent) round(start time.Time, sec int, st *Stats) {
	at := start.Add(time.Duration(sec)*time.Second + s.Skew)
	silent := s.SilentFrom >= 0 && sec >= s.SilentFrom && sec < s.SilentTo
	if !silent && len(s.held) > 0 {
		// Back: the late replay first, oldest first, as a spool sends it.
		for _, r := range s.held {
			s.in <- r
		}
		s.held = nil
	}
	emit := func(r result.Result) {
		st.Results.Add(1)
		if silent {
			s.held = append(s.held, r)
		} else {
			s.in <- r
		}
	}
	for _, l := range s.Lines {
		emit(pingResult(at, l, l.Down(sec)))
	}
	if sec%10 == 0 {
		emit(result.Result{Time: at, Measurement: "snmp_if", Probe: "sim-snmp",
			Tags:   map[string]string{"device": s.PoP + "-pe", "ifindex": "1", "ifname": "uplink0"},
			Fields: map[string]float64{"oper_up": 1, "admin_up": 1, "in_bps": 1e6, "out_bps": 2e6, "in_errors": 0, "out_errors": 0}})
	}
	if !silent && sec%s.hbEvery == 0 {
		hb := result.Heartbeat{Agent: s.ID, Site: s.PoP, Version: "sim", Time: at, UptimeS: float64(sec),
			SpoolDepth: s.queue.Results(), Probes: len(s.Lines) + 1, IntervalS: float64(s.hbEvery)}
		if data, err := json.Marshal(hb); err == nil {
			_ = s.nc.Publish("vantage.heartbeat."+s.ID, data)
		}
	}
}

// pingResult is one 3-echo round as the ping probe reports it.
func pingResult(at time.Time, l *Line, down bool) result.Result {
	r := result.Result{Time: at, Measurement: "ping", Probe: "sim-ping",
		Tags: map[string]string{"target": "198.18.0.1", "line": l.ID, "customer": l.Customer}}
	if down {
		r.Fields = map[string]float64{"sent": 3, "recv": 0, "loss_pct": 100}
		r.Error, r.Detail = "timeout", "no echo reply before the round's deadline"
		return r
	}
	r.Fields = map[string]float64{"sent": 3, "recv": 3, "loss_pct": 0, "rtt_min_ms": 1.1, "rtt_avg_ms": 1.3, "rtt_max_ms": 1.6, "jitter_ms": 0.2}
	return r
}
