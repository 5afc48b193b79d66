package snmp

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/vantage-net/vantage/probes/probe"
)

// Descriptor registers the snmp probe type (see probes/registry.go).
var Descriptor = probe.Descriptor{Measurement: MeasurementIf, New: New, ValidateTarget: ValidateTarget}

// Prober polls the devices of one snmp probe. It is safe for concurrent
// Probe calls with different targets; calls for the same target are
// serialised. Close releases the devices' sockets.
type Prober struct {
	name    string
	opts    *Options
	log     *slog.Logger
	metrics *metrics
	slots   chan struct{} // max_parallel
	dial    dialFunc
	now     func() time.Time

	mu      sync.Mutex
	devices map[string]*device
	closed  bool
}

// device is one target's settings, session and memory.
type device struct {
	target string
	cfg    Device // merged, defaults applied
	cfgErr string // why the target cannot be polled, if it cannot
	// lock is held by the round in progress. A channel, not a mutex, so a
	// second caller can give up when its context ends.
	lock  chan struct{}
	sess  session
	state *deviceState
	// info is the interface table of the last poll, for the trap listener.
	// Atomic so a trap lookup never waits for a running poll.
	info atomic.Pointer[map[int]IfInfo]
}

// New builds a Prober from a probe's spec (the registry's Factory).
func New(spec probe.Spec) (probe.Prober, error) {
	return NewProber(spec)
}

// NewProber is New with the concrete type, for callers that want Lookup or
// Close without a type assertion.
func NewProber(spec probe.Spec) (*Prober, error) {
	opts, err := DecodeOptions(spec.File, &spec.Options)
	if err != nil {
		return nil, err
	}
	log := spec.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Prober{
		name:    spec.Name,
		opts:    opts,
		log:     log,
		metrics: newMetrics(spec.Name, spec.Registerer),
		slots:   make(chan struct{}, opts.MaxParallel),
		dial:    dialGoSNMP,
		now:     time.Now,
		devices: map[string]*device{},
	}, nil
}

// device returns the state of target, creating it on first use.
func (p *Prober) device(target string) *device {
	p.mu.Lock()
	defer p.mu.Unlock()
	if d, ok := p.devices[target]; ok {
		return d
	}
	d := &device{target: target, lock: make(chan struct{}, 1), state: newDeviceState()}
	cfg := p.opts.Device
	if o, ok := p.opts.Devices[target]; ok {
		cfg = cfg.merge(o)
	} else if len(p.opts.Devices) > 0 {
		// The top level need not be complete when devices are listed; a
		// target missing from the list must then not be polled half-set.
		c := &checker{}
		c.complete(path{}, cfg)
		if len(c.errs) > 0 {
			d.cfgErr = fmt.Sprintf("target %q has no entry under options.devices and the probe-wide settings are incomplete", target)
		}
	}
	d.cfg = cfg.withDefaults()
	p.devices[target] = d
	return d
}

// Probe polls one device: interface tables, then scalars. It returns
// snmp_if samples (one per interface), snmp_event samples for changes seen
// since the previous poll, snmp samples for scalars, and two device samples
// (snmp metric=poll_ms, the poll's duration or its error class; metric=uptime_s).
func (p *Prober) Probe(ctx context.Context, target string) []probe.Sample {
	d := p.device(target)
	if d.cfgErr != "" {
		return []probe.Sample{pollSample(target, 0, ErrConfig, d.cfgErr)}
	}
	select {
	case d.lock <- struct{}{}:
		defer func() { <-d.lock }()
	case <-ctx.Done():
		return []probe.Sample{pollSample(target, 0, probe.ErrTimeout, "the previous poll of this device was still running")}
	}
	select {
	case p.slots <- struct{}{}:
		defer func() { <-p.slots }()
	case <-ctx.Done():
		return []probe.Sample{pollSample(target, 0, probe.ErrTimeout, fmt.Sprintf("no free poll slot before the deadline (max_parallel %d)", cap(p.slots)))}
	}
	p.metrics.inFlight.Inc()
	defer p.metrics.inFlight.Dec()
	start := p.now()
	samples, err := p.poll(ctx, d)
	took := p.now().Sub(start)
	p.metrics.duration.Observe(took.Seconds())
	if err != nil {
		class, detail := classify(err, target, d.cfg)
		p.metrics.polls.WithLabelValues(class).Inc()
		p.log.Debug("snmp poll failed", "device", target, "error_class", class, "error", detail)
		return append(samples, pollSample(target, 0, class, detail))
	}
	p.metrics.polls.WithLabelValues("ok").Inc()
	return append(samples, pollSample(target, took, "", ""))
}

// pollSample is the device-level outcome of a round.
func pollSample(target string, took time.Duration, class, detail string) probe.Sample {
	s := probe.Sample{Measurement: MeasurementScalar, Tags: map[string]string{"device": target, "metric": "poll_ms"}, Error: class, Detail: detail}
	if class == "" {
		s.Fields = map[string]float64{"value": probe.Timing(took)}
	}
	return s
}

// poll runs one round with the device lock held.
func (p *Prober) poll(ctx context.Context, d *device) ([]probe.Sample, error) {
	if d.sess == nil {
		p.mu.Lock()
		closed := p.closed
		p.mu.Unlock()
		if closed {
			return nil, fmt.Errorf("prober closed")
		}
		s, err := p.dial(ctx, d.target, d.cfg)
		if err != nil {
			return nil, err
		}
		d.sess = s
	}
	d.sess.bind(ctx)
	version, _ := snmpVersion(d.cfg.Version)
	w, err := walkColumns(d.sess, version != gosnmp.Version1, d.cfg.MaxRepetitions, ifColumns)
	p.metrics.varbinds.Add(float64(w.varbinds))
	if err != nil {
		p.dropSession(d)
		return nil, err
	}
	now := p.now()
	snap := snapshot{uptime: w.uptime, hasUptime: w.hasUptime, rows: rowsFrom(w)}
	var scalarErr error
	if len(d.cfg.Scalars) > 0 {
		snap.scalars, snap.scalarErr, scalarErr = getScalars(d.sess, d.cfg.Scalars)
		if scalarErr != nil {
			// The interfaces are still good; the scalars get the error.
			p.dropSession(d)
			class, detail := classify(scalarErr, d.target, d.cfg)
			snap.scalarErr = map[string]string{}
			for _, sc := range d.cfg.Scalars {
				snap.scalarErr[sc.Name] = class + ": " + detail
			}
		}
	}
	samples, rep := d.state.update(d.target, now, snap, d.cfg)
	p.report(d, rep)
	info := make(map[int]IfInfo, len(snap.rows))
	for _, r := range snap.rows {
		i := r.label()
		i.Line = rep.lines[r.index]
		info[r.index] = i
	}
	d.info.Store(&info)
	if snap.hasUptime {
		samples = append(samples, probe.Sample{Measurement: MeasurementScalar,
			Tags:   map[string]string{"device": d.target, "metric": "uptime_s"},
			Fields: map[string]float64{"value": ticksAgo(snap.uptime, 0).Seconds()}})
	}
	return samples, nil
}

// dropSession closes a session after an error, so the next round starts
// clean (fresh socket, fresh SNMPv3 engine discovery).
func (p *Prober) dropSession(d *device) {
	if d.sess != nil {
		_ = d.sess.Close()
		d.sess = nil
	}
}

// report logs and counts what a poll found. Renumbering and line problems
// are warnings: a line silently showing another port is the failure this
// guards against.
func (p *Prober) report(d *device, rep pollReport) {
	if rep.reboot {
		p.metrics.reboots.Inc()
		p.log.Info("snmp device restarted (sysUpTime went backwards); counter baselines reset", "device", d.target)
	}
	if n := len(rep.renumbered); n > 0 {
		p.metrics.ifindexChanges.Add(float64(n))
		p.log.Warn("snmp device renumbered interfaces (same ifName, new ifIndex)", "device", d.target, "interfaces", n)
	}
	for _, c := range rep.lineChanges {
		switch {
		case c.oldIndex != 0 && c.newIndex != 0:
			p.log.Warn("snmp line moved to another ifIndex; following its name", "device", d.target, "line", c.line,
				"match", c.selector, "old_ifindex", c.oldIndex, "new_ifindex", c.newIndex)
		case c.newIndex != 0:
			p.log.Info("snmp line mapped again", "device", d.target, "line", c.line, "match", c.selector, "ifindex", c.newIndex)
		default:
			p.metrics.lineProblems.Inc()
			p.log.Warn("snmp line not mapped to an interface", "device", d.target, "line", c.line, "match", c.selector, "reason", c.reason)
		}
	}
	p.metrics.unseenFlaps.Add(float64(rep.unseenFlaps))
	p.metrics.discontinuities.Add(float64(rep.discontinuities))
}

// Lookup returns what the last poll of device knew about an interface. The
// trap listener uses it to name the interface of a linkDown trap that carries
// only an ifIndex, and to find its line. It never waits for a running poll.
func (p *Prober) Lookup(device string, ifIndex int) (IfInfo, bool) {
	p.mu.Lock()
	d, ok := p.devices[device]
	p.mu.Unlock()
	if !ok {
		return IfInfo{}, false
	}
	m := d.info.Load()
	if m == nil {
		return IfInfo{}, false
	}
	i, ok := (*m)[ifIndex]
	return i, ok
}

// Close closes every device session. Rounds still running finish with an
// error; the prober must not be used afterwards.
func (p *Prober) Close() error {
	p.mu.Lock()
	p.closed = true
	devs := make([]*device, 0, len(p.devices))
	for _, d := range p.devices {
		devs = append(devs, d)
	}
	p.mu.Unlock()
	for _, d := range devs {
		// Wait for the device's round so its session is not closed under it.
		d.lock <- struct{}{}
		p.dropSession(d)
		<-d.lock
	}
	return nil
}

// String names the prober in logs.
func (p *Prober) String() string { return "snmp probe " + strconv.Quote(p.name) }
