package linehealth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/linestate"
	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/probes/result"
)

// PointWriter writes InfluxDB points; *influx.Writer is the one in use.
type PointWriter interface {
	Write(ctx context.Context, b *influx.Batch) ([]influx.Rejected, error)
}

// Options configure a Monitor.
type Options struct {
	// DB is the controller's database, opened by controller/store/sqlite.
	DB *sql.DB
	// Inventory gives lines their customer, tier and element path.
	Inventory inventory.Store
	// Points receives line_state and line_event points.
	Points PointWriter
	// Detector configures the line-state detector. A profile named like a
	// customer tier ("diamond") applies to that tier's lines.
	Detector linestate.Options
	// GroupWindow is incident.Options.Window (default 30 s).
	GroupWindow time.Duration
	// Now is the controller's clock. Default time.Now.
	Now func() time.Time
	// Tick is how often the detector is advanced. Default 1 s.
	Tick time.Duration
	// SnapshotEvery is how often the detector's state is saved. Default 1 min.
	SnapshotEvery time.Duration
	// InventoryRefresh is how often the inventory is re-read, so lines
	// imported while the controller runs get their customer. Default 1 min.
	InventoryRefresh time.Duration
	// WriteTimeout bounds one flush of the outbox from the clock loop.
	// Default 10 s.
	WriteTimeout time.Duration
	// MaxOutbox bounds outputs waiting to be written (InfluxDB or the
	// database down): beyond it the oldest are dropped and counted, so a
	// long outage costs history, never the controller's memory. Default 100,000.
	MaxOutbox int
}

func (o *Options) setDefaults() error {
	if o.DB == nil || o.Inventory == nil || o.Points == nil {
		return errors.New("linehealth: DB, Inventory and Points are required")
	}
	def := func(p *time.Duration, d time.Duration) {
		if *p <= 0 {
			*p = d
		}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	def(&o.Tick, time.Second)
	def(&o.SnapshotEvery, time.Minute)
	def(&o.InventoryRefresh, time.Minute)
	def(&o.WriteTimeout, 10*time.Second)
	if o.MaxOutbox <= 0 {
		o.MaxOutbox = 100_000
	}
	return nil
}

// The detector_snapshots rows of this detector and of its list of lines
// the inventory does not know.
const (
	snapshotName     = "linestate"
	unknownLinesName = "linestate.unknown_lines"
)

// Monitor is the line-health sink. Handle and the clock loop (Run) share it
// under one lock; database and InfluxDB writes happen outside that lock.
type Monitor struct {
	opts Options
	log  *slog.Logger
	m    *metrics

	mu    sync.Mutex
	det   *linestate.Detector
	grp   *incident.Grouper
	lines map[string]*lineInfo
	out   outbox
	down  downSpans // provisional down periods, to find outages learnt late (late.go)

	flushMu sync.Mutex // one flush at a time, so outputs are written in order
}

// New builds the Monitor: it restores the detector's last snapshot and the
// open incidents from the database and reads the inventory.
func New(ctx context.Context, o Options, log *slog.Logger, reg prometheus.Registerer) (*Monitor, error) {
	if err := o.setDefaults(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	det, err := linestate.New(o.Detector)
	if err != nil {
		return nil, fmt.Errorf("linehealth: detector: %w", err)
	}
	mon := &Monitor{opts: o, log: log, m: newMetrics(reg), det: det, lines: map[string]*lineInfo{}, down: downSpans{}}
	if err := mon.restore(ctx); err != nil {
		return nil, err
	}
	if err := mon.refreshInventory(ctx); err != nil {
		return nil, err
	}
	return mon, nil
}

func (mon *Monitor) restore(ctx context.Context) error {
	snap, taken, err := loadSnapshot(ctx, mon.opts.DB)
	if err != nil {
		return fmt.Errorf("linehealth: %w", err)
	}
	if snap != nil {
		// A snapshot this build cannot read is not fatal: the detector
		// starts empty and relearns from the next results, as on a first
		// start. Unknown profiles are restored with default thresholds.
		if err := mon.det.Restore(snap); err != nil {
			mon.log.Warn("line-state snapshot only partly restored", "taken", taken, "err", err)
		} else {
			mon.log.Info("line-state snapshot restored", "taken", taken, "lines", mon.det.Stats().Lines)
		}
	}
	unknown, err := loadUnknownLines(ctx, mon.opts.DB)
	if err != nil {
		return fmt.Errorf("linehealth: %w", err)
	}
	for _, id := range unknown {
		mon.lines[id] = &lineInfo{}
	}
	open, next, err := loadOpenIncidents(ctx, mon.opts.DB)
	if err != nil {
		return fmt.Errorf("linehealth: %w", err)
	}
	mon.grp = incident.New(incident.Options{Window: mon.opts.GroupWindow, Now: mon.opts.Now, FirstID: next})
	mon.grp.Restore(open)
	if err := loadDownSpans(ctx, mon, 2*mon.det.Horizon()); err != nil {
		return fmt.Errorf("linehealth: %w", err)
	}
	mon.m.incidentsOpen.Set(float64(len(open)))
	return nil
}

// refreshInventory re-reads the inventory and gives every line its profile.
func (mon *Monitor) refreshInventory(ctx context.Context) error {
	infos, err := loadInventory(ctx, mon.opts.Inventory)
	if err != nil {
		return fmt.Errorf("linehealth: %w", err)
	}
	mon.mu.Lock()
	defer mon.mu.Unlock()
	for id, li := range mon.lines {
		if _, ok := infos[id]; !ok && li.inInventory {
			mon.lines[id] = &lineInfo{} // removed from the inventory; still watched
		}
	}
	for id, li := range infos {
		mon.lines[id] = li
		mon.assign(id, li)
	}
	return nil
}

// assign picks the detector profile named like the line's tier, if any.
func (mon *Monitor) assign(id string, li *lineInfo) {
	profile := ""
	if _, ok := mon.opts.Detector.Profiles[li.tier]; ok {
		profile = li.tier
	}
	if err := mon.det.AssignLine(id, profile); err != nil {
		mon.log.Warn("line profile", "line", id, "err", err)
	}
}

// info returns a line's inventory facts, adding an unknown line on first
// sight: its results are detected all the same.
func (mon *Monitor) info(id string) *lineInfo {
	li, ok := mon.lines[id]
	if !ok {
		li = &lineInfo{}
		mon.lines[id] = li
	}
	return li
}

// Handle implements ingest.Sink.
func (mon *Monitor) Handle(ctx context.Context, agent string, results []result.Result) error {
	mon.mu.Lock()
	for i := range results {
		ev, ok := linestate.FromResult(agent, &results[i])
		if !ok {
			continue
		}
		mon.info(ev.Line)
		out, v := mon.det.Add(ev)
		mon.m.evidence.WithLabelValues(v.String()).Inc()
		mon.take(out)
	}
	mon.mu.Unlock()
	return mon.flush(ctx)
}

// take routes one detector output; the caller holds mu.
func (mon *Monitor) take(out linestate.Output) {
	for _, tr := range out.Transitions {
		li := mon.info(tr.Line)
		if tr.Final {
			mon.out.addState(tr, li.customer)
			continue
		}
		mon.down.note(tr)
		firstNew := mon.grp.NextID()
		for _, in := range mon.grp.Apply(li.incidentLine(tr.Line), tr) {
			mon.out.incidents = append(mon.out.incidents, in)
			if in.ID >= firstNew {
				mon.log.Info("incident opened", "id", in.ID, "kind", in.Kind, "root", in.Root, "line", tr.Line)
			}
		}
	}
	for _, ev := range out.Events {
		mon.out.addEvent(ev, mon.info(ev.Line).customer)
		mon.lateOutage(ev)
	}
	if n := mon.out.trim(mon.opts.MaxOutbox); n > 0 {
		mon.m.outboxDropped.Add(float64(n))
	}
	mon.m.outbox.Set(float64(mon.out.len()))
}

// tick advances the detector to now.
func (mon *Monitor) tick(now time.Time) {
	mon.mu.Lock()
	defer mon.mu.Unlock()
	mon.take(mon.det.Advance(now))
	mon.down.prune(now.Add(-2 * mon.det.Horizon()))
	mon.m.incidentsOpen.Set(float64(len(mon.grp.Open())))
	st := mon.det.Stats()
	mon.m.lines.Set(float64(st.Lines))
	mon.m.pending.Set(float64(st.Pending))
}

// Run drives the detector's clock, saves snapshots and re-reads the
// inventory until ctx ends; then it writes what is left and a last
// snapshot. Call it alongside the ingest and cancel it after the ingest
// has stopped, so the last results are in the final snapshot.
func (mon *Monitor) Run(ctx context.Context) error {
	tick := time.NewTicker(mon.opts.Tick)
	defer tick.Stop()
	lastSnap, lastInv := mon.opts.Now(), mon.opts.Now()
	for {
		select {
		case <-ctx.Done():
			return mon.shutdown()
		case <-tick.C:
		}
		now := mon.opts.Now()
		mon.tick(now)
		wctx, cancel := context.WithTimeout(ctx, mon.opts.WriteTimeout)
		err := mon.flush(wctx)
		cancel()
		if err != nil {
			continue // logged by flush; try again next tick
		}
		if now.Sub(lastInv) >= mon.opts.InventoryRefresh {
			lastInv = now
			if err := mon.refreshInventory(ctx); err != nil && ctx.Err() == nil {
				mon.log.Warn("inventory refresh failed; keeping the previous one", "err", err)
			}
		}
		if now.Sub(lastSnap) >= mon.opts.SnapshotEvery {
			if mon.snapshot(ctx) == nil {
				lastSnap = now
			}
		}
	}
}

func (mon *Monitor) shutdown() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*mon.opts.WriteTimeout)
	defer cancel()
	mon.tick(mon.opts.Now())
	if err := mon.flush(ctx); err != nil {
		return fmt.Errorf("linehealth: final write: %w", err)
	}
	if err := mon.snapshot(ctx); err != nil {
		return fmt.Errorf("linehealth: final snapshot: %w", err)
	}
	return nil
}

// snapshot saves the detector's state if nothing it produced is still
// waiting to be written (else a restart from it would lose those outputs).
func (mon *Monitor) snapshot(ctx context.Context) error {
	start := time.Now()
	mon.mu.Lock()
	if mon.out.len() > 0 {
		mon.mu.Unlock()
		return errors.New("outbox not empty")
	}
	data, err := mon.det.Snapshot()
	var unknown []string
	for id, li := range mon.lines {
		if !li.inInventory {
			unknown = append(unknown, id)
		}
	}
	mon.mu.Unlock()
	if err == nil {
		err = saveSnapshot(ctx, mon.opts.DB, data, unknown, mon.opts.Now())
	}
	if err != nil {
		mon.log.Warn("line-state snapshot failed", "err", err)
		return err
	}
	mon.m.snapshotBytes.Set(float64(len(data)))
	mon.m.snapshotSeconds.Set(time.Since(start).Seconds())
	return nil
}
