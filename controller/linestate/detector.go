package linestate

import (
	"errors"
	"fmt"
	"maps"
	"time"
)

// Options configure a Detector.
type Options struct {
	// Horizon is how late evidence may arrive and still be placed exactly:
	// a line's evidence is sealed (final) once the line's watermark, the
	// later of the clock and its slowest source's newest event time, minus
	// Horizon, has passed it (see watermark). It must cover the longest
	// spool worth reconstructing. Default 15 min.
	Horizon time.Duration
	// ReorderSlack is how far behind the provisional view evidence may land
	// and still be applied to it directly (at the view's time), when it
	// cannot change what the view decided (machine.absorbs); further
	// behind, or if it could, the view is rebuilt at the next Advance.
	// Default 10 s.
	ReorderSlack time.Duration
	// MaxPending caps one line's reorder buffer. When a line exceeds it the
	// oldest evidence is sealed early (counted as Stats.ForcedSeals), and
	// evidence later arriving behind it is TooLate: memory stays bounded
	// even if one source floods a line. Default 8192: a full 15-minute
	// horizon of nine sources probing the line every second.
	MaxPending int
	// MaxSources caps the distinct (source, probe) pairs of one line
	// (at most 255). Default 32.
	MaxSources int
	// Default are the thresholds of lines without a profile; zero means
	// DefaultParams().
	Default Params
	// Profiles are named thresholds, usually one per customer tier
	// ("diamond", "gold", ...); AssignLine picks one for a line.
	Profiles map[string]Params
}

func (o *Options) fill() error {
	if o.Horizon == 0 {
		o.Horizon = 15 * time.Minute
	}
	if o.ReorderSlack == 0 {
		o.ReorderSlack = 10 * time.Second
	}
	if o.MaxPending == 0 {
		o.MaxPending = 8192
	}
	if o.MaxSources == 0 {
		o.MaxSources = 32
	}
	if o.Default == (Params{}) {
		o.Default = DefaultParams()
	}
	var errs []error
	if o.Horizon < 0 || o.ReorderSlack < 0 || o.MaxPending < 16 || o.MaxSources < 1 || o.MaxSources > 255 {
		errs = append(errs, fmt.Errorf("options: horizon %s, reorder_slack %s, max_pending %d (>= 16), max_sources %d (1-255)",
			o.Horizon, o.ReorderSlack, o.MaxPending, o.MaxSources))
	}
	if err := o.Default.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("default params: %w", err))
	}
	for name, p := range o.Profiles {
		if err := p.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("profile %q: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// Stats count what the detector did since it started (or was restored).
type Stats struct {
	Lines       int
	Pending     int // evidence buffered, not yet sealed, over all lines
	Accepted    uint64
	Duplicates  uint64
	TooLate     uint64
	Invalid     uint64
	Rejected    uint64 // a line had MaxSources sources already
	ForcedSeals uint64 // evidence sealed before the horizon because a line hit MaxPending
	Rebuilds    uint64 // provisional views recomputed after out-of-order evidence
}

// Detector turns evidence into line states and events. It is pure: no I/O,
// no clock of its own (time comes in through Evidence.Time and Advance),
// and not safe for concurrent use: the controller owns it from one
// goroutine, or shards lines over several detectors.
type Detector struct {
	// viewOpen says a snapshot view is out (view.go): one at a time.
	viewOpen bool
	opts     Options
	profiles map[string]*Params
	def      *Params
	lines    []*line
	index    map[string]int32
	now      int64 // latest clock time given to Advance
	// clocks holds, per source (Evidence.Source: an agent, or an agent's
	// SNMP device), the newest event time accepted from it on any line:
	// how far that observer's own clock has got. srcKey.clk indexes it;
	// clockIdx finds a source's slot by name.
	clocks   []int64
	clockIdx map[string]int32
	newest   int64 // the largest of clocks: while it is not ahead of now, every line's watermark is now - Horizon
	stats    Stats
}

// New returns an empty detector.
func New(o Options) (*Detector, error) {
	if err := o.fill(); err != nil {
		return nil, err
	}
	d := &Detector{opts: o, index: map[string]int32{}, profiles: map[string]*Params{}, clockIdx: map[string]int32{}}
	d.def = &d.opts.Default
	for name, p := range o.Profiles {
		d.profiles[name] = &p
	}
	d.opts.Profiles = maps.Clone(o.Profiles)
	return d, nil
}

// AssignLine makes a line use a profile's thresholds ("" for the default).
// The controller calls it from the inventory (line → customer → tier).
func (d *Detector) AssignLine(name, profile string) error {
	p, ok := d.profileParams(profile)
	if !ok {
		return fmt.Errorf("line %s: unknown profile %q", name, profile)
	}
	l := d.line(name)
	l.profile, l.params = profile, p
	return nil
}

func (d *Detector) profileParams(profile string) (*Params, bool) {
	if profile == "" {
		return d.def, true
	}
	p, ok := d.profiles[profile]
	return p, ok
}

func (d *Detector) line(name string) *line {
	if i, ok := d.index[name]; ok {
		return d.lines[i]
	}
	l := &line{name: name, params: d.def}
	d.index[name] = int32(len(d.lines))
	d.lines = append(d.lines, l)
	return l
}

// clockSlot returns the index of source's slot in clocks, adding one.
func (d *Detector) clockSlot(source string) int32 {
	if i, ok := d.clockIdx[source]; ok {
		return i
	}
	i := int32(len(d.clocks))
	d.clockIdx[source] = i
	d.clocks = append(d.clocks, 0)
	return i
}

// watermark is line l's: its evidence before it is final. It is the
// controller's clock, or the newest event time of the line's slowest
// source if every source of the line is ahead of that (a replay or a
// backfill without a clock still seals), minus the horizon.
//
// Per source, not one newest event time for all: ingest accepts results
// up to max_future (5 min) ahead of the controller's clock, and with one
// global watermark an agent stamping 5 minutes ahead took 5 minutes off
// every other agent's lateness window, so their spooled results were
// refused as too late or sealed around. Per source rather than per line,
// because a line is often watched from both ends: its CPE agent's clock
// must not shorten its PoP agent's window on that same line either. So a
// source's evidence is refused only when it is more than the horizon
// behind the controller's clock or its own newest evidence, never another
// source's. Cost: nothing while no source is ahead of the controller's
// clock (the rule when a clock drives), else one load per source of the
// line (usually one or two).
func (d *Detector) watermark(l *line) int64 {
	w := d.now
	if d.newest > d.now && len(l.srcs) > 0 {
		slowest := d.clocks[l.srcs[0].clk]
		for i := 1; i < len(l.srcs); i++ {
			slowest = min(slowest, d.clocks[l.srcs[i].clk])
		}
		w = max(w, slowest)
	}
	return w - int64(d.opts.Horizon)
}

// Add takes one piece of evidence. It returns the provisional transitions
// it caused at once, and any final transitions and events of the line that
// the watermark let it seal.
func (d *Detector) Add(ev Evidence) (Output, Verdict) {
	var out Output
	if err := ev.validate(); err != nil {
		d.stats.Invalid++
		return out, Invalid
	}
	l := d.line(ev.Line)
	t := ev.Time.UnixNano()
	if ev.Kind == Silence {
		d.silence(l, ev.Source, t, &out)
		return out, Accepted
	}
	if t < l.sealedTo {
		d.stats.TooLate++
		return out, TooLate
	}
	n := len(l.srcs)
	src, ok := l.source(ev.Source, ev.Probe, d.opts.MaxSources)
	if !ok {
		d.stats.Rejected++
		return out, Rejected
	}
	if len(l.srcs) > n {
		l.srcs[src].clk = d.clockSlot(ev.Source)
	}
	p := packPend(&ev, src)
	if !l.insert(p) {
		d.stats.Duplicates++
		return out, Duplicate
	}
	d.stats.Accepted++
	k := &l.srcs[src]
	d.clocks[k.clk] = max(d.clocks[k.clk], t)
	d.newest = max(d.newest, t)
	k.HBSilent = 0 // an arrival proves the agent alive

	if t < l.prov.At {
		l.noteLate(src, t) // the reason if a live event changes (live.go)
	}
	if !l.dirty {
		if t >= l.prov.At || (t >= l.prov.At-int64(d.opts.ReorderSlack) && l.prov.absorbs(&p)) {
			n := len(l.live)
			l.prov.apply(&p, l.params, &emitter{out: &out, line: l.name, live: &l.live})
			l.liveChanged = l.liveChanged || len(l.live) != n
		} else {
			l.dirty = true // rebuilt at the next Advance
		}
	}
	before := len(out.Events)
	l.seal(d.watermark(l), &out)
	if n := len(l.pending); n > d.opts.MaxPending {
		d.stats.ForcedSeals += uint64(n - d.opts.MaxPending)
		l.seal(l.pending[n-d.opts.MaxPending].T, &out)
	}
	l.flushLive(&out, countedIn(out.Events[before:]), int64(d.opts.Horizon))
	out.sort()
	return out, Accepted
}

// countedIn reports whether evs hold a flap or outage.
func countedIn(evs []Event) bool {
	for i := range evs {
		if countsFinal(evs[i].Kind) {
			return true
		}
	}
	return false
}

func (d *Detector) silence(l *line, agent string, t int64, out *Output) {
	match := func(i int) bool { return l.srcs[i].Agent == agent }
	for i := range l.srcs {
		if match(i) {
			l.srcs[i].HBSilent = t
		}
	}
	if !l.dirty {
		l.prov.silence(t, match, l.params, &emitter{out: out, line: l.name})
	}
}

// Advance tells the detector the time on the controller's clock. It seals
// every line up to its watermark (final transitions and events), rebuilds
// provisional views that late evidence made stale, and fires provisional
// timers (a line whose sources all went quiet becomes unknown). Call it
// about once a second; its cost is a few comparisons per line when nothing
// is due.
func (d *Detector) Advance(now time.Time) Output {
	var out Output
	d.now = max(d.now, now.UnixNano())
	for _, l := range d.lines {
		before := len(out.Events)
		l.seal(d.watermark(l), &out)
		if l.dirty {
			d.stats.Rebuilds++
			l.rebuild(d.now, &out)
		} else {
			l.prov.advanceTo(d.now, l.params, &emitter{out: &out, line: l.name, live: &l.live})
		}
		l.flushLive(&out, countedIn(out.Events[before:]), int64(d.opts.Horizon))
	}
	out.sort()
	return out
}

// LineState is the current view of one line.
type LineState struct {
	// State is the provisional state: everything seen so far.
	State State
	// Since is when State began (event time).
	Since time.Time
	// Final is the sealed state, as of Sealed.
	Final  State
	Sealed time.Time
	// Penalty is the dampening penalty as of Sealed: it decays with time
	// whether or not anyone hears the line.
	Penalty float64
	// Decay is the sealed penalty with what it decays by (Decay.ValueAt).
	Decay Decay
	// Pending is how much evidence waits for the horizon.
	Pending int
}

// State returns a line's current view.
func (d *Detector) State(name string) (LineState, bool) {
	i, ok := d.index[name]
	if !ok {
		return LineState{}, false
	}
	l := d.lines[i]
	return LineState{State: l.prov.Visible, Since: unixOrZero(l.prov.Since), Final: l.sealed.Visible,
		Sealed: unixOrZero(l.sealedTo), Penalty: l.sealed.Damp.valueAt(l.sealedTo, l.params), Pending: len(l.pending),
		Decay: Decay{Value: l.sealed.Damp.Penalty, At: unixOrZero(l.sealed.Damp.At), HalfLife: l.params.HalfLife, Reuse: l.params.Reuse}}, true
}

func unixOrZero(ns int64) time.Time {
	if ns <= 0 {
		return time.Time{}
	}
	return unix(ns)
}

// Stats returns the counters.
func (d *Detector) Stats() Stats {
	s := d.stats
	s.Lines = len(d.lines)
	for _, l := range d.lines {
		s.Pending += len(l.pending)
	}
	return s
}

// Horizon is the lateness horizon in use (Options.Horizon or its default).
func (d *Detector) Horizon() time.Duration { return d.opts.Horizon }

// Retain keeps only the lines keep accepts and forgets the others with all
// their evidence, returning how many it forgot. The controller calls it
// after a restore, so lines the inventory does not know (invented line
// tags saved before line evidence was gated) do not live on.
func (d *Detector) Retain(keep func(line string) bool) int {
	kept := d.lines[:0]
	for _, l := range d.lines {
		if keep(l.name) {
			kept = append(kept, l)
		}
	}
	dropped := len(d.lines) - len(kept)
	clear(d.lines[len(kept):])
	d.lines = kept
	clear(d.index)
	for i, l := range d.lines {
		d.index[l.name] = int32(i)
	}
	return dropped
}

// Clock is the controller's clock as last given to Advance (or restored
// from a snapshot); zero before either. Evidence older than Clock minus
// the horizon is TooLate, so what is kept "for a horizon" is kept by this
// clock, not the wall clock (they differ while a controller's clock
// follows a backlog's arrival: controller/linehealth/arrival.go).
func (d *Detector) Clock() time.Time {
	if d.now == 0 {
		return time.Time{}
	}
	return time.Unix(0, d.now)
}
