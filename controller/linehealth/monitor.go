package linehealth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/controller/cause"
	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/linestate"
	"github.com/vantage-net/vantage/controller/shipper"
	"github.com/vantage-net/vantage/probes/result"
)

// Options configure a Monitor.
type Options struct {
	// DB is the controller's database, opened by controller/store/sqlite.
	DB *sql.DB
	// Inventory gives lines their customer, tier and element path.
	Inventory inventory.Store
	// Shipper queues line_state and line_event points in the commit that
	// stores their events, and ships them to InfluxDB on its own.
	Shipper *shipper.Shipper
	// Detector configures the line-state detector. A profile named like a
	// customer tier ("diamond") applies to that tier's lines.
	Detector linestate.Options
	// GroupWindow is incident.Options.Window (default 30 s).
	GroupWindow time.Duration
	// GroupRules are incident.Options.Rules: when lines below an element
	// kind have a common cause (zero fields: incident.DefaultRule).
	GroupRules map[string]incident.Rule
	// Now is the controller's clock. Default time.Now.
	Now func() time.Time
	// Tick is how often the detector is advanced. Default 1 s.
	Tick time.Duration
	// SnapshotEvery is how often the detector's state is saved. Default 1 min.
	SnapshotEvery time.Duration
	// InventoryRefresh is how often the inventory is refreshed, so lines
	// imported while the controller runs get their customer: a Monitor
	// reading its own inventory polls its version then and re-reads it
	// only when it moved (or InventoryResync passed). Default 1 min.
	InventoryRefresh time.Duration
	// InventoryResync is how often a Monitor that reads its own inventory
	// re-reads it even though its version (inventory.SQLStore.Version) did
	// not move, for rows changed by hand in SQL, which bump nothing. At
	// every InventoryRefresh between those it reads only the version.
	// Default 10 min.
	InventoryResync time.Duration
	// WriteTimeout bounds one commit from the clock loop and the final one.
	// Default 10 s.
	WriteTimeout time.Duration
	// MaxUncommitted bounds outputs waiting in memory while the database refuses
	// commits: beyond it the oldest are dropped and counted, so a broken
	// disk costs history, never the controller's memory. Default 100,000.
	// (InfluxDB being down does not fill it: points wait in the database.)
	MaxUncommitted int
	// IncidentHook, if set, is called inside each commit that stores
	// incident changes (controller/notify writes its outbox there).
	IncidentHook IncidentHook
	// Partition, if set, limits the Monitor to one partition of a cluster
	// and fences its commits (partition.go). Nil: every line, as a single
	// controller.
	Partition *Partition
	// ArrivalClock makes the detector's lateness count from when a result
	// reached the results stream, not from when this Monitor got to it:
	// the caller reports its consumer's progress (Consumed), and until it
	// first does the detector's clock stands still (arrival.go).
	ArrivalClock bool
}

// IncidentHook sees incident changes inside the transaction that stores
// them; an error rolls the commit back (and it is retried). incidents may
// hold several copies of one incident: the last is its current state.
type IncidentHook interface {
	IncidentsChanged(ctx context.Context, tx *sql.Tx, incidents []incident.Incident, now time.Time) error
}

func (o *Options) setDefaults() error {
	if o.DB == nil || o.Inventory == nil || o.Shipper == nil {
		return errors.New("linehealth: DB, Inventory and Shipper are required")
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
	def(&o.InventoryResync, 10*time.Minute)
	def(&o.WriteTimeout, 10*time.Second)
	if o.MaxUncommitted <= 0 {
		o.MaxUncommitted = 100_000
	}
	return nil
}

// The detector_snapshots rows of this detector and of the list of lines the
// inventory does not know that earlier builds kept beside it (deleted by
// the next snapshot: such lines no longer survive a restart, lines.go).
const (
	snapshotName     = "linestate"
	unknownLinesName = "linestate.unknown_lines"
)

// Monitor is the line-health sink: it owns detection and its one durable
// write (commit.go). Handle and the clock loop (Run) share the detector
// under mu and commit under commitMu, so outputs are committed in the
// order they were produced. The API does not read the Monitor: the
// ReadModel answers it from what the commits stored (line_states among
// them), and InfluxDB is the shipper's business alone.
type Monitor struct {
	opts Options
	log  *slog.Logger
	m    *metrics

	mu         sync.Mutex
	det        *linestate.Detector
	grp        *incident.Grouper
	lines      lineCache
	down       downSpans             // provisional down periods, to find outages learnt late (late.go)
	cad        cadence               // each line's probe interval, for incident grouping (topology.go)
	pend       outputs               // produced, not yet committed
	journalSeq int64                 // newest linestate_journal row committed
	touched    map[string]struct{}   // lines whose line_states row the next commit rewrites (states.go)
	cause      *cause.Attributor     // what failed, on lines watched from both ends (causes.go)
	causes     map[int64]*causeTrack // incidents whose cause may still change
	arr        arrival               // the consumer's progress, with ArrivalClock (arrival.go)

	// commitMu is held from feeding the detector until its outputs are
	// committed, by Handle, the tick and the snapshot's capture. Stage
	// feeds under mu alone; its outputs wait in pend for the next commit
	// (Flush's or a tick's), and the snapshot refuses while pend holds any.
	commitMu sync.Mutex
	// snapMu lets one snapshot at a time hold a detector view (run.go).
	snapMu sync.Mutex
	// afterView, set by tests only, runs when a snapshot has taken its
	// view and released the locks, before it encodes and writes it.
	afterView func()

	// applied is the shared Inventory last refreshed from (mu guards it).
	applied *Inventory
	// invVersion and invRead are the inventory version of the Monitor's
	// own last read (-1: none, or a store without versions) and when it
	// was taken (inventory.go); only the clock loop and New touch them.
	invVersion int64
	invRead    time.Time

	epoch  int64       // the partition's epoch this Monitor took (partition.go)
	fenced atomic.Bool // a newer owner took the partition
}

// New builds the Monitor: it restores the detector's last snapshot, the
// open incidents and the inventory, replays the journal of evidence since
// the snapshot, and commits what the replay produced.
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
	mon := &Monitor{opts: o, log: log, m: newMetrics(reg), det: det, lines: lineCache{}, down: downSpans{}, cad: cadence{}, invVersion: -1,
		causes: map[int64]*causeTrack{}}
	// The attributor keeps spans by the detector's clock (Trim runs under
	// mu, in tick), as the evidence that may still change a cause is.
	mon.cause = cause.New(cause.Options{Now: det.Clock, Retain: 2*det.Horizon() + time.Minute}, nil)
	// The partition first: from here on its previous owner commits nothing.
	if err := mon.takePartition(ctx); err != nil {
		return nil, err
	}
	after, err := mon.restore(ctx)
	if err != nil {
		return nil, err
	}
	// The inventory before the replay, so replayed lines have their profile.
	if err := mon.refreshInventory(ctx); err != nil {
		return nil, err
	}
	forgotten := mon.forgetUnknown()
	var skipped int
	if mon.journalSeq, skipped, err = mon.replay(ctx, after); err != nil {
		return nil, fmt.Errorf("linehealth: %w", err)
	}
	if forgotten+skipped > 0 {
		mon.m.forgotten.Add(float64(forgotten + skipped))
		mon.log.Warn("restored line state dropped lines the inventory does not know (invented line tags, or lines since removed)",
			"lines", forgotten, "journal_evidence", skipped)
	}
	mon.resyncStates()
	if err := mon.resyncLive(ctx); err != nil {
		return nil, err
	}
	mon.commitMu.Lock()
	defer mon.commitMu.Unlock()
	if err := mon.commit(ctx); err != nil {
		return nil, err
	}
	return mon, nil
}

// restore loads the snapshot, the open incidents and the recent down spans. It returns the newest journal row the snapshot covers.
func (mon *Monitor) restore(ctx context.Context) (int64, error) {
	snap, taken, seq, err := loadSnapshot(ctx, mon.opts.DB, mon.snapshotRow())
	if err != nil {
		return 0, fmt.Errorf("linehealth: %w", err)
	}
	if snap != nil {
		// A snapshot this build cannot read is not fatal: the detector
		// starts empty and relearns from the journal and the next results,
		// as on a first start. Unknown profiles are restored with default
		// thresholds.
		if err := mon.det.Restore(snap); err != nil {
			mon.log.Warn("line-state snapshot only partly restored", "taken", taken, "err", err)
		} else {
			mon.log.Info("line-state snapshot restored", "taken", taken, "lines", mon.det.Stats().Lines)
		}
	}
	open, next, err := loadOpenIncidents(ctx, mon.opts.DB)
	if err != nil {
		return 0, fmt.Errorf("linehealth: %w", err)
	}
	var last int64
	if first, end, ok, err := mon.incidentIDBlock(ctx); err != nil {
		return 0, fmt.Errorf("linehealth: %w", err)
	} else if ok {
		next, last = first, end
	}
	mon.grp = incident.New(incident.Options{Window: mon.opts.GroupWindow, Rules: mon.opts.GroupRules, Now: mon.opts.Now,
		FirstID: next, LastID: last})
	open = slices.DeleteFunc(open, func(in incident.Incident) bool { return !mon.ownsIncident(in) })
	mon.grp.Restore(open)
	for _, in := range open {
		mon.trackIncident(in) // its cause may still change
	}
	if err := loadDownSpans(ctx, mon, 2*mon.det.Horizon()); err != nil {
		return 0, fmt.Errorf("linehealth: %w", err)
	}
	mon.m.incidentsOpen.Set(float64(len(open)))
	return seq, nil
}

// Horizon is the detector's lateness horizon (ReadOptions.Horizon).
func (mon *Monitor) Horizon() time.Duration { return mon.det.Horizon() }

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

// Handle implements ingest.Sink. It returns once the message's evidence
// and every output produced so far are committed to the database (or with
// the commit's error, so the message is redelivered). It never waits for
// InfluxDB.
func (mon *Monitor) Handle(ctx context.Context, agent string, results []result.Result) error {
	mon.commitMu.Lock()
	defer mon.commitMu.Unlock()
	mon.feed(agent, results)
	return mon.commit(ctx)
}

// Stage implements ingest.Stager: it feeds the message's evidence to the
// detector like Handle, without committing; Flush commits everything
// staged so far in one transaction (one per pull instead of one per
// message). Until then the outputs wait in mon.pend like those of a
// failed commit: a snapshot is not taken over them (snapshot), and a tick
// may commit them earlier, which is harmless.
func (mon *Monitor) Stage(_ context.Context, agent string, results []result.Result) error {
	mon.feed(agent, results)
	return nil
}

// Flush implements ingest.Stager: it returns once the evidence of every
// message staged so far and every output produced so far are committed.
func (mon *Monitor) Flush(ctx context.Context) error {
	mon.commitMu.Lock()
	defer mon.commitMu.Unlock()
	return mon.commit(ctx)
}

// feed gives one message's results to the detector and keeps the
// outputs in mon.pend.
func (mon *Monitor) feed(agent string, results []result.Result) {
	mon.mu.Lock()
	defer mon.mu.Unlock()
	for i := range results {
		ev, ok := linestate.FromResult(agent, &results[i])
		if !ok {
			continue
		}
		mon.lines.info(ev.Line)
		mon.cause.Observe(ev)
		out, v := mon.det.Add(ev)
		mon.m.evidence.WithLabelValues(v.String()).Inc()
		if v == linestate.Accepted {
			mon.pend.evidence = append(mon.pend.evidence, ev)
			mon.cad.note(&ev)
		}
		mon.take(out, false)
	}
}

// lateOf is line's late evidence notes in sets.
func lateOf(sets []linestate.LiveSet, line string) []linestate.Late {
	for i := range sets {
		if sets[i].Line == line {
			return sets[i].Late
		}
	}
	return nil
}

// take routes one detector output into mon.pend; the caller holds mu. In
// a journal replay the provisional transitions are skipped: the incidents
// restored from the database already reflect them (journal.go).
func (mon *Monitor) take(out linestate.Output, replay bool) {
	for _, tr := range out.Transitions {
		mon.touch(tr.Line)
		li := mon.lines.info(tr.Line)
		if tr.Final {
			mon.pend.addState(tr, li.customer)
			continue
		}
		if replay {
			continue
		}
		mon.down.note(tr)
		firstNew := mon.grp.NextID()
		for _, in := range mon.grp.Apply(mon.incidentLine(tr.Line, li), tr) {
			mon.pend.incidents = append(mon.pend.incidents, in)
			mon.trackIncident(in)
			if in.ID >= firstNew {
				mon.log.Info("incident opened", "id", in.ID, "kind", in.Kind, "root", in.Root, "line", tr.Line)
			}
		}
	}
	for _, ev := range out.Events {
		mon.touch(ev.Line)
		d, _ := mon.eventCause(ev)
		mon.pend.addEvent(ev, mon.lines.info(ev.Line).customer, d, lateOf(out.Live, ev.Line))
		mon.lateOutage(ev)
	}
	for _, set := range out.Live { // after the final events they may confirm (live.go)
		mon.touch(set.Line)
		mon.pend.addLive(set, mon.liveCauses(set))
	}
	if n := mon.pend.trim(mon.opts.MaxUncommitted); n > 0 {
		mon.m.uncommittedDropped.Add(float64(n))
	}
	mon.m.uncommitted.Set(float64(mon.pend.len()))
}
