// Package agent runs probes on their schedule and ships their results to the
// controller over NATS JetStream. It holds the parts every probe type shares:
// scheduling, labels, batching, publishing, heartbeats and self-metrics.
package agent

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	prometheus "github.com/vantage-net/vantage/internal/metrics"

	"github.com/vantage-net/vantage/agent/config"
	"github.com/vantage-net/vantage/agent/publish"
	"github.com/vantage-net/vantage/agent/remote"
	"github.com/vantage-net/vantage/agent/schedule"
	"github.com/vantage-net/vantage/agent/spool"
	"github.com/vantage-net/vantage/agent/update"
	"github.com/vantage-net/vantage/internal/clock"
	"github.com/vantage-net/vantage/probes"
	"github.com/vantage-net/vantage/probes/probe"
	"github.com/vantage-net/vantage/probes/result"
)

// runnerTick batches round starts into 5 ms steps (see schedule.Runner.Tick).
const runnerTick = 5 * time.Millisecond

// Options configure an Agent.
type Options struct {
	Config   *config.Config
	Logger   *slog.Logger
	Registry prometheus.Registerer
	Version  string
	// Clock and Rand are injected for tests; nil means real time and a
	// randomly seeded source.
	Clock clock.Clock
	Rand  *mrand.Rand
	// Updater, if set, is offered the remote config's release and told
	// when the agent is healthy (update.go).
	Updater *update.Updater
}

// Agent is one running vantage-agent.
type Agent struct {
	// cfg is the local file: connection, spool, publish and process
	// settings, and the base a remote config is applied over.
	cfg     *config.Config
	log     *slog.Logger
	reg     prometheus.Registerer
	version string
	clock   clock.Clock
	rand    *mrand.Rand
	m       *metrics
	// queue holds messages until JetStream acknowledged them: the disk
	// spool when spool.dir is set (spool is then the same value), else a
	// MemQueue whose contents die with the process.
	queue   publish.Queue
	spool   *spool.Spool
	results chan result.Result
	// reconnected and watchWake wake the sender and the remote config
	// watcher out of their backoff when NATS is (back) up (linkUp).
	reconnected chan struct{}
	watchWake   chan struct{}
	started     time.Time
	trapReg     prometheus.Registerer // for the trap listener's metrics (traps.go)
	// budget pays for every probe's confirmation rounds (confirm_budget).
	budget *schedule.Budget
	upd    *update.Updater // nil: no self-update
	// stop ends Run early (Stop), set when Run starts; stopped records a
	// Stop that came before.
	stop    context.CancelFunc
	stopped bool

	// reloadMu serialises changes of the probe set (reload.go); runs, cur
	// and rev are written holding it and mu, so either suffices to read.
	reloadMu sync.Mutex
	runCtx   context.Context

	mu        sync.Mutex
	nc        *nats.Conn
	produced  uint64 // results handed to the publisher by this process
	published uint64
	dropped   uint64
	cur       *config.Config       // running config: cfg, or cfg with a remote config applied
	rev       uint64               // cur's remote revision; 0 is the local file
	runs      map[string]*probeRun // by probe name
}

// job is a scheduled (probe, target) with everything a round needs.
type job struct {
	probe    string
	prober   probe.Prober
	meas     string
	schema   result.Schema
	target   string
	labels   config.Labels
	network  string // the uplink's name, the network tag ("" unbound)
	interval time.Duration
	timeout  time.Duration
	confirm  schedule.Confirm
}

// New builds the agent's probers. It fails when a probe cannot be built, e.g.
// ICMP is not permitted, with the probe type's explanation. With
// remote_config enabled it starts from the cached remote config, if there is
// a usable one, so an agent booting while NATS is unreachable runs the probes
// the controller last gave it.
func New(o Options) (*Agent, error) {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Rand == nil {
		o.Rand = mrand.New(mrand.NewSource(time.Now().UnixNano()))
	}
	a := &Agent{cfg: o.Config, log: o.Logger, reg: o.Registry, version: o.Version, clock: o.Clock, rand: o.Rand,
		results: make(chan result.Result, 10000), reconnected: make(chan struct{}, 1), watchWake: make(chan struct{}, 1), cur: o.Config, upd: o.Updater}
	a.m = newMetrics(o.Registry, func() float64 { return float64(a.queue.Results()) })
	a.budget = schedule.NewBudget(float64(*o.Config.ConfirmBudget))
	a.trapReg = o.Registry
	if err := a.openQueue(o); err != nil {
		return nil, err
	}
	if o.Config.RemoteConfig.Enabled {
		c, rev, err := remote.LoadCache(o.Config, probes.TypeInfo{})
		switch {
		case err != nil:
			a.log.Warn("cached remote config unusable; starting from the local file's probes", "err", err)
		case c != nil:
			if a.runs, _, err = a.buildProbes(c, nil); err == nil {
				a.cur, a.rev = c, rev
				a.m.configRev.Set(float64(rev))
				a.log.Info("starting from cached remote config", "revision", rev, "probes", len(c.Probes))
				return a, nil
			}
			a.log.Warn("cached remote config unusable; starting from the local file's probes", "err", err)
		}
	}
	var err error
	if a.runs, _, err = a.buildProbes(o.Config, nil); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// openQueue picks where results wait for JetStream: the disk spool when
// spool.dir is set, else memory.
func (a *Agent) openQueue(o Options) error {
	sc := o.Config.Spool
	if sc.Dir == "" {
		a.queue = publish.NewMemQueue(o.Config.Publish.QueueMax, func(n int) {
			a.countDropped(n, "full")
			a.log.Warn("queue full: dropped oldest results", "results", n)
		})
		return nil
	}
	sp, err := spool.Open(spool.Options{Dir: sc.Dir, MaxBytes: int64(sc.MaxBytes), MaxAge: sc.MaxAge,
		Fsync: spool.Fsync(sc.Fsync), FsyncInterval: sc.FsyncInterval, Clock: o.Clock,
		Logger: o.Logger.With("component", "spool"), Registerer: o.Registry,
		Dropped: a.countDropped}) // the spool logs its own drops
	if err != nil {
		return err
	}
	a.spool, a.queue = sp, sp
	return nil
}

// Close releases probers' resources (shared sockets, sessions) and closes
// the spool, syncing it. It may be called more than once.
func (a *Agent) Close() {
	a.stopAll()
	if a.spool != nil {
		if err := a.spool.Close(); err != nil {
			a.log.Error("closing spool", "err", err)
		}
	}
}

// Run connects to NATS and runs until ctx ends. NATS being unreachable is
// not an error: the agent keeps probing and queues results.
func (a *Agent) Run(ctx context.Context) error {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	a.mu.Lock()
	a.stop = stop
	if a.stopped {
		stop()
	}
	a.mu.Unlock()
	a.started = a.clock.Now()
	nc, err := a.connect()
	if err != nil {
		return err
	}
	a.mu.Lock()
	a.nc = nc
	a.mu.Unlock()
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}

	stopTraps, err := a.startTraps()
	if err != nil {
		return err
	}

	epoch := make([]byte, 6)
	_, _ = rand.Read(epoch)
	batcher := &publish.Batcher{Agent: a.cfg.AgentID, Max: a.cfg.Publish.BatchMax, Delay: a.cfg.Publish.BatchDelay,
		Queue: a.queue, Clock: a.clock, IDPrefix: hex.EncodeToString(epoch), Logger: a.log,
		Dropped: func(n int) { a.countDropped(n, "encode") }, Urgent: a.m.urgent.Inc}
	sender := &publish.Sender{Subject: "vantage.results." + a.cfg.AgentID, JS: js, Queue: a.queue,
		Timeout: a.cfg.NATS.PublishTimeout, Logger: a.log, Rand: mrand.New(mrand.NewSource(a.rand.Int63())),
		Published: func(n int) {
			a.m.published.Add(float64(n))
			a.mu.Lock()
			a.published += uint64(n)
			a.mu.Unlock()
			a.healthy()
		},
		Failed: func(error) { a.m.publishFails.Inc() }, Wake: a.reconnected}

	sendCtx, stopSend := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(3)
	batchDone := make(chan struct{})
	go func() { defer wg.Done(); defer close(batchDone); batcher.Run(context.Background(), a.results) }()
	go func() { defer wg.Done(); sender.Run(sendCtx) }()
	go func() { defer wg.Done(); a.heartbeats(ctx, nc) }()

	a.startAll(ctx)
	var waitWatcher chan struct{} // closed when the remote config watcher returned
	if a.cfg.RemoteConfig.Enabled {
		w := remote.NewWatcher(remote.Options{Local: a.cfg, Types: probes.TypeInfo{}, JS: js, NC: nc,
			Apply: a.apply, Running: a.Revision, Logger: a.log.With("component", "remote-config"),
			Seen: a.healthy, Update: a.updateStatus, Wake: a.watchWake,
			Clock: a.clock, Rand: mrand.New(mrand.NewSource(a.rand.Int63()))})
		watchDone := make(chan struct{})
		go func() { defer close(watchDone); w.Run(ctx) }()
		waitWatcher = watchDone
	}
	a.log.Info("agent running", "agent", a.cfg.AgentID, "jobs", a.jobCount(), "config_rev", a.Revision())
	a.offerRelease(ctx)
	<-ctx.Done()
	// The watcher may be applying a config: stop the probes after it
	// returned, so no round starts once results are closed below.
	if waitWatcher != nil {
		<-waitWatcher
	}
	a.stopAll() // returns after running rounds finished
	stopTraps() // before close(a.results), which trap events feed

	// Drain: close the result stream, let the batcher flush, give the sender
	// a grace period to deliver what is queued.
	close(a.results)
	<-batchDone
	deadline := time.Now().Add(5 * time.Second)
	for a.queue.Results() > 0 && time.Now().Before(deadline) && nc.IsConnected() {
		time.Sleep(20 * time.Millisecond)
	}
	stopSend()
	wg.Wait()
	if left := a.queue.Results(); left > 0 && a.spool != nil {
		a.log.Info("stopping; results kept in the spool for the next start", "results", left)
	} else if left > 0 {
		a.log.Warn("stopping with results not yet acknowledged; they are lost (no spool.dir)", "results", left)
	}
	// This process's account, which a restart (or a self-update's exec)
	// must balance: produced = published + dropped + left in the spool
	// (the next process sends those).
	st := a.Stats()
	a.mu.Lock()
	produced := a.produced
	a.mu.Unlock()
	a.Close()
	a.log.Info("agent run ended", "produced", produced, "published", st.Published, "dropped", st.Dropped, "left", st.Queued)
	return nil
}

// round runs one probe round and reports whether it failed: nothing came
// back (timeout, unreachable), as the controller's detector reads a round,
// which is what confirmation probing follows up. The round is bounded by
// the probe's timeout (a confirmation round's by the shorter of that and
// its interval, so confirmation rounds never overlap) but not cancelled by
// shutdown: a cancelled round would report a failure the network never had.
func (a *Agent) round(j *job, rd schedule.Round) (failed bool) {
	a.roundStarts(j, rd, a.clock.Now())
	ctx, cancel := context.WithTimeout(context.Background(), j.roundTimeout(rd))
	samples := j.prober.Probe(ctx, j.target)
	cancel()
	return a.deliver(j, rd, samples)
}

// begin starts round rd without a goroutine when j's prober can
// (probe.Starter); end hands the delivery to the runner's goroutine.
func (a *Agent) begin(j *job, rd schedule.Round, end func(func() bool)) bool {
	s, ok := j.prober.(probe.Starter)
	if !ok {
		return false
	}
	now := a.clock.Now()
	if !s.Start(j.target, j.roundTimeout(rd), func(samples []probe.Sample) {
		end(func() bool { return a.deliver(j, rd, samples) })
	}) {
		return false
	}
	a.roundStarts(j, rd, now)
	return true
}

// roundStarts counts a round started at now.
func (a *Agent) roundStarts(j *job, rd schedule.Round, now time.Time) {
	a.m.lateness.Observe(now.Sub(rd.Slot).Seconds())
	if rd.Confirm > 0 {
		a.m.confirmRounds.WithLabelValues(j.probe).Inc()
	}
}

// roundTimeout bounds round rd of j: the probe's timeout, or for a
// confirmation round the shorter of that and its interval.
func (j *job) roundTimeout(rd schedule.Round) time.Duration {
	if rd.Confirm > 0 {
		return min(j.timeout, j.confirm.Interval)
	}
	return j.timeout
}

// deliver turns a round's samples into results for the publisher and
// reports whether the round failed.
func (a *Agent) deliver(j *job, rd schedule.Round, samples []probe.Sample) (failed bool) {
	for _, s := range samples {
		res := a.toResult(j, rd.Slot, s)
		if _, markable := result.Schemas[res.Measurement].Fields["confirm"]; rd.Confirm > 0 && markable {
			res.Fields = markConfirm(res.Fields, rd.Confirm)
		}
		if res.Error != "" {
			a.m.roundErrors.WithLabelValues(j.probe, res.Error).Inc()
		}
		failed = failed || res.Error == probe.ErrTimeout || res.Error == probe.ErrUnreachable
		a.m.produced.WithLabelValues(j.probe).Inc()
		a.countProduced()
		a.results <- res
	}
	return failed
}

// markConfirm returns fields with the confirm mark: the round's index in
// its confirmation sequence (probes/result's ping, dial and http schemas).
func markConfirm(fields map[string]float64, n int) map[string]float64 {
	out := make(map[string]float64, len(fields)+1)
	for k, v := range fields {
		out[k] = v
	}
	out["confirm"] = float64(n)
	return out
}

// toResult adds event time, labels and the target to a sample. Labels the
// measurement has no tag for (customer on snmp_if) are left out on purpose.
func (a *Agent) toResult(j *job, slot time.Time, s probe.Sample) result.Result {
	meas := j.meas
	if s.Measurement != "" {
		meas = s.Measurement
	}
	schema := j.schema
	if meas != j.meas {
		schema = result.Schemas[meas]
	}
	tags := make(map[string]string, 6)
	set := func(k, v string) {
		if v != "" && schema.TagAllowed(k) {
			tags[k] = v
		}
	}
	set("line", j.labels.Line)
	set("customer", j.labels.Customer)
	set("site", j.labels.Site)
	set("network", j.network)
	if schema.TagAllowed("target") {
		tags["target"] = j.target
	} else if schema.TagAllowed("device") {
		tags["device"] = j.target
	}
	for k, v := range s.Tags {
		tags[k] = v
	}
	t := slot
	if !s.Time.IsZero() {
		t = s.Time
	}
	return result.Result{Time: t, Measurement: meas, Probe: j.probe, Tags: tags, Fields: s.Fields, Error: s.Error, Detail: s.Detail}
}

// countDropped adds to the agent's total of lost results, reported in
// heartbeats. Whoever drops logs it, once.
// The reason is counted by the spool (vantage_agent_spool_dropped_total).
func (a *Agent) countDropped(n int, _ string) {
	a.m.dropped.Add(float64(n))
	a.mu.Lock()
	a.dropped += uint64(n)
	a.mu.Unlock()
}

// Emit hands results from outside the schedule (SNMP traps) to the publisher.
func (a *Agent) Emit(r result.Result) {
	a.countProduced()
	a.results <- r
}

func (a *Agent) countProduced() {
	a.mu.Lock()
	a.produced++
	a.mu.Unlock()
}

// Stats are the agent's counters, for tests and heartbeats.
type Stats struct {
	Published, Dropped uint64
	Queued             int
}

// Stats returns the agent's current counters.
func (a *Agent) Stats() Stats {
	// The queue is read outside a.mu: queues report drops, which take a.mu,
	// while holding their own lock.
	queued := a.queue.Results()
	a.mu.Lock()
	defer a.mu.Unlock()
	return Stats{Published: a.published, Dropped: a.dropped, Queued: queued}
}

var errNoNATS = errors.New("no NATS URL configured")
