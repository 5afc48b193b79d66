package registry

import (
	"context"
	"log/slog"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/controller/shipper"
	"github.com/vantage-net/vantage/internal/loglimit"
	"github.com/vantage-net/vantage/probes/result"
)

// Registry tracks agents from their heartbeats. It is safe for concurrent
// use: heartbeats arrive on the NATS client's goroutine, API reads on HTTP
// goroutines, and Run's tick evaluates and flushes.
type Registry struct {
	opts Options
	log  *slog.Logger
	m    *metrics
	// logs bounds what one agent's bad heartbeats can log (internal/loglimit).
	logs *loglimit.Limiter

	mu      sync.Mutex
	agents  map[string]*entry
	pending []shipper.Point // `agent` points not yet queued (until the next tick)
	// sites is the inventory's agent → site (Options.Sites), read at
	// sitesRead (sites.go).
	sites     map[string]string
	sitesRead time.Time

	flushMu sync.Mutex // one flush at a time
}

// New returns a registry and restores the agents stored in opts.DB, each
// offline until it is heard again. Metrics are registered with reg (nil: not
// registered).
func New(ctx context.Context, opts Options, log *slog.Logger, reg prometheus.Registerer) (*Registry, error) {
	if err := opts.setDefaults(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Registry{opts: opts, log: log, m: newMetrics(reg), agents: map[string]*entry{},
		logs: loglimit.New(opts.Clock.Now, time.Minute, 5)}
	if opts.DB != nil {
		if err := r.restore(ctx); err != nil {
			return nil, err
		}
	}
	if err := r.refreshSites(ctx, opts.Clock.Now()); err != nil {
		return nil, err
	}
	r.updateGauges()
	return r, nil
}

// Observe records one heartbeat of agent id, received at the controller's
// time now. id comes from the NATS subject, which the server's permissions
// tie to the agent's credentials; the payload's own agent field is only
// checked against it, and hb must have passed result.Heartbeat.Check
// (HandleMessage does both).
func (r *Registry) Observe(id string, hb result.Heartbeat, now time.Time) {
	interval := r.opts.DefaultInterval
	if hb.IntervalS > 0 {
		interval = time.Duration(hb.IntervalS * float64(time.Second))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.agents[id]
	if !ok {
		if len(r.agents) >= r.opts.MaxAgents {
			r.m.heartbeats.WithLabelValues("refused_too_many_agents").Inc()
			return
		}
		e = &entry{Agent: Agent{ID: id, FirstSeen: now, State: Offline, StateSince: now}}
		r.agents[id] = e
		r.log.Info("new agent", "agent", id, "site", r.sites[id], "version", hb.Version)
	}
	r.checkSiteClaim(id, hb.Site)
	r.m.heartbeats.WithLabelValues("ok").Inc()
	if e.State != Online {
		r.log.Info("agent online", "agent", id, "offline_for", now.Sub(e.StateSince).Round(time.Second))
		e.State, e.StateSince = Online, now
	}
	e.LastSeen = now
	e.deadline = now.Add(time.Duration(r.opts.MissedHeartbeats) * interval)
	e.Site, e.Version, e.ConfigRev, e.Probes = r.sites[id], hb.Version, hb.ConfigRevision, hb.Probes
	e.SpoolDepth, e.ResultsSent, e.ResultsDropped = hb.SpoolDepth, hb.ResultsSent, hb.ResultsDropped
	e.HeartbeatIntervalS = interval.Seconds()
	r.setOffset(e, hb.Time, now)
	e.dirty, e.announcedUp = true, true
	r.queuePoint(e, now, 1)
	// Gauges are recounted on the tick, not here: a recount is O(agents)
	// and heartbeats arrive a thousand a second at fleet scale.
}

// setOffset derives the clock offset from the heartbeat's send time. A
// heartbeat without one (zero time) leaves the last offset.
//
// One heartbeat beyond the threshold is not enough to flag the agent: a
// heartbeat that sat in a dead TCP connection arrives minutes late and
// looks exactly like a slow clock. A real offset repeats, so the flag
// needs two heartbeats in a row that agree within the threshold; a clock
// that stays off stays flagged.
func (r *Registry) setOffset(e *entry, sent, now time.Time) {
	if sent.IsZero() {
		return
	}
	off := sent.Sub(now)
	beyond := off > r.opts.MaxClockOffset || -off > r.opts.MaxClockOffset
	confirmed := e.ClockSkewed || (e.suspect && (off-e.suspectOffset).Abs() <= r.opts.MaxClockOffset)
	skewed := beyond && confirmed
	e.suspect, e.suspectOffset = beyond && !skewed, off
	if skewed && !e.ClockSkewed {
		// Logged on the change only: a skewed agent heartbeats every 10 s.
		r.log.Warn("agent clock is off; its event times are misplaced", "agent", e.ID, "offset", off.Round(time.Millisecond), "threshold", r.opts.MaxClockOffset)
	}
	e.ClockOffsetS = math.Round(off.Seconds()*1000) / 1000
	e.ClockSkewed = skewed
}

// queuePoint adds an `agent` point, dropping the oldest beyond the bound.
func (r *Registry) queuePoint(e *entry, at time.Time, up float64) {
	if r.opts.Points == nil {
		return
	}
	f := map[string]float64{"up": up}
	if up == 1 {
		f["spool_depth"] = float64(e.SpoolDepth)
		f["results_sent"] = float64(e.ResultsSent)
		f["results_dropped"] = float64(e.ResultsDropped)
		f["config_rev"] = float64(e.ConfigRev)
		f["clock_offset_s"] = e.ClockOffsetS
		f["clock_skewed"] = b2f(e.ClockSkewed)
	}
	var text map[string]string
	if up == 1 && e.Version != "" {
		text = map[string]string{"version": e.Version}
	}
	var tags map[string]string
	if e.Site != "" {
		tags = map[string]string{"site": e.Site}
	}
	r.pending = append(r.pending, shipper.Point{Agent: e.ID, Result: result.Result{Time: at, Measurement: "agent", Tags: tags, Fields: f, Text: text}})
	if over := len(r.pending) - r.opts.MaxPendingPoints; over > 0 {
		r.pending = append(r.pending[:0], r.pending[over:]...)
		r.m.pointsDropped.Add(float64(over))
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Get returns one agent.
func (r *Registry) Get(id string) (Agent, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.agents[id]
	if !ok {
		return Agent{}, false
	}
	return e.Agent, true
}

// List returns every agent, ordered by id.
func (r *Registry) List() []Agent {
	r.mu.Lock()
	out := make([]Agent, 0, len(r.agents))
	for _, e := range r.agents {
		out = append(out, e.Agent)
	}
	r.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
