package evidence

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/internal/loglimit"
	"github.com/vantage-net/vantage/probes/result"
)

// Refusal reasons, the reason label of vantage_controller_line_evidence_refused_total.
const (
	ReasonUnknownLine = "unknown_line" // the inventory has no such line
	ReasonNotAssigned = "not_assigned" // the line exists; this agent does not watch it
)

// Sink is where entitled evidence goes: line health (ingest.Sink's shape).
type Sink interface {
	Handle(ctx context.Context, agent string, results []result.Result) error
}

// Source reads the assignments; *inventory.SQLStore is the one in use.
type Source interface {
	WatchedLines(ctx context.Context) (*inventory.Watched, error)
}

// Options configure a Gate.
type Options struct {
	// Source gives every agent's assigned lines. Required.
	Source Source
	// Refresh is how often the assignments are re-read. Default 1 min, as
	// line health re-reads the inventory.
	Refresh time.Duration
	// MissRefresh is the shortest time between re-reads caused by a result
	// naming a line its agent is not (yet) known to watch. Default 5 s.
	MissRefresh time.Duration
	// Now is the controller's clock. Default time.Now.
	Now func() time.Time
}

// Gate passes on only the results whose agent is assigned to watch their
// line. Handle is called one message at a time (the ingest serialises
// sinks); Run refreshes concurrently.
type Gate struct {
	opts Options
	next Sink
	log  *slog.Logger
	logs *loglimit.Limiter

	refused *prometheus.CounterVec
	passed  prometheus.Counter

	mu          sync.Mutex // guards watched and lastRefresh
	watched     *inventory.Watched
	lastRefresh time.Time
	refreshMu   sync.Mutex // one query at a time
}

// New reads the assignments once and returns a Gate in front of next.
// Metrics are registered with reg (nil: not registered).
func New(ctx context.Context, next Sink, o Options, log *slog.Logger, reg prometheus.Registerer) (*Gate, error) {
	if next == nil || o.Source == nil {
		return nil, errors.New("evidence: a sink and a source are required")
	}
	if o.Refresh <= 0 {
		o.Refresh = time.Minute
	}
	if o.MissRefresh <= 0 {
		o.MissRefresh = 5 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	f := promauto.With(reg)
	g := &Gate{
		opts: o, next: next, log: log,
		logs: loglimit.New(o.Now, time.Minute, 5),
		refused: f.NewCounterVec(prometheus.CounterOpts{
			Name: "vantage_controller_line_evidence_refused_total",
			Help: "Results with a line tag stored but not fed to line health, by reason: unknown_line (no such line in the inventory), not_assigned (the publishing agent does not watch it).",
		}, []string{"reason"}),
		passed: f.NewCounter(prometheus.CounterOpts{
			Name: "vantage_controller_line_evidence_accepted_total",
			Help: "Results with a line tag fed to line health: their agent is assigned to watch the line.",
		}),
	}
	g.refused.WithLabelValues(ReasonUnknownLine)
	g.refused.WithLabelValues(ReasonNotAssigned)
	if err := g.refresh(ctx); err != nil {
		return nil, err
	}
	return g, nil
}

// Run re-reads the assignments every Options.Refresh until ctx ends. A
// failed read keeps the previous assignments.
func (g *Gate) Run(ctx context.Context) {
	t := time.NewTicker(g.opts.Refresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := g.refresh(ctx); err != nil && ctx.Err() == nil {
				g.log.Warn("line assignments not re-read; keeping the previous ones", "err", err)
			}
		}
	}
}

func (g *Gate) refresh(ctx context.Context) error {
	g.refreshMu.Lock()
	defer g.refreshMu.Unlock()
	w, err := g.opts.Source.WatchedLines(ctx)
	if err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	g.mu.Lock()
	g.watched, g.lastRefresh = w, g.opts.Now()
	g.mu.Unlock()
	return nil
}

func (g *Gate) current() (*inventory.Watched, time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.watched, g.lastRefresh
}

// Stager is a Sink that can defer its durable write to Flush (ingest.Stager's shape).
type Stager interface {
	Sink
	Stage(ctx context.Context, agent string, results []result.Result) error
	Flush(ctx context.Context) error
}

// Handle implements ingest.Sink: it passes the entitled results on to the
// next sink and counts the rest.
func (g *Gate) Handle(ctx context.Context, agent string, results []result.Result) error {
	return g.pass(ctx, agent, results, g.next.Handle)
}

// Stage implements ingest.Stager: Handle, passing the entitled results
// to the next sink's Stage when it has one (line health: its commit then
// waits for Flush).
func (g *Gate) Stage(ctx context.Context, agent string, results []result.Result) error {
	if st, ok := g.next.(Stager); ok {
		return g.pass(ctx, agent, results, st.Stage)
	}
	return g.pass(ctx, agent, results, g.next.Handle)
}

// Flush implements ingest.Stager: the next sink's Flush, if it has one.
func (g *Gate) Flush(ctx context.Context) error {
	if st, ok := g.next.(Stager); ok {
		return st.Flush(ctx)
	}
	return nil
}

// pass hands the entitled results to next and counts the rest.
func (g *Gate) pass(ctx context.Context, agent string, results []result.Result, next func(context.Context, string, []result.Result) error) error {
	w, at := g.current()
	if g.allEntitled(w, agent, results) {
		return next(ctx, agent, results)
	}
	// A miss may be a line imported since the last read: re-read, but
	// not more often than MissRefresh, whatever an agent sends.
	if g.opts.Now().Sub(at) >= g.opts.MissRefresh {
		if err := g.refresh(ctx); err != nil {
			g.logs.Warn(g.log, "refresh", "line assignments not re-read; keeping the previous ones", "err", err)
		}
		w, _ = g.current()
	}
	kept := make([]result.Result, 0, len(results))
	for i := range results {
		line := results[i].Tags["line"]
		switch {
		case line == "" || w.Watches(agent, line):
			kept = append(kept, results[i])
			continue
		case w.Known(line):
			g.refuse(agent, line, ReasonNotAssigned)
		default:
			g.refuse(agent, line, ReasonUnknownLine)
		}
	}
	g.passed.Add(float64(countLines(kept)))
	if len(kept) == 0 {
		return nil
	}
	return next(ctx, agent, kept)
}

// allEntitled is the common case, checked without copying: every result
// with a line tag is from an agent that watches it.
func (g *Gate) allEntitled(w *inventory.Watched, agent string, results []result.Result) bool {
	n := 0
	for i := range results {
		line := results[i].Tags["line"]
		if line == "" {
			continue
		}
		if !w.Watches(agent, line) {
			return false
		}
		n++
	}
	g.passed.Add(float64(n))
	return true
}

func (g *Gate) refuse(agent, line, reason string) {
	g.refused.WithLabelValues(reason).Inc()
	g.logs.Warn(g.log, agent, "result not taken as line evidence: agent is not assigned to watch the line",
		"agent", agent, "line", line, "reason", reason)
}

func countLines(rs []result.Result) int {
	n := 0
	for i := range rs {
		if rs[i].Tags["line"] != "" {
			n++
		}
	}
	return n
}
