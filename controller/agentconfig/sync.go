package agentconfig

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/controller/inventory"
)

// SetReleases sets o.Releases after construction (the planner needs parts
// the controller builds later); call it before Run.
func (s *Syncer) SetReleases(p ReleasePlanner) { s.opts.Releases = p }

// SyncOptions configure a Syncer.
type SyncOptions struct {
	// Refresh is how often the inventory is re-read.
	Refresh time.Duration
	Ping    PingProfile
	// SNMP is the derived snmp probe of agents that poll devices.
	SNMP SNMPProfile
	// ExtraDir holds optional <agent_id>.yaml files of extra probes.
	ExtraDir string
	// Releases, if set, adds each agent's release block (self-update).
	Releases ReleasePlanner
}

// Syncer keeps the config bucket equal to what the inventory derives for
// every managed agent. It only ever writes a key whose derived bytes
// differ from the stored ones, so a refresh that finds nothing new costs
// no revision and the agents rebuild nothing.
//
// An agent that leaves the inventory keeps its last config (deleting the
// key would stop its probes, a surprise better made by hand: `nats kv del`).
type Syncer struct {
	js   jetstream.JetStream
	inv  inventory.Store
	opts SyncOptions
	log  *slog.Logger
	m    *syncMetrics
	// stored is what the bucket holds per agent as far as this controller
	// knows; empty after a restart, so the first round compares with the
	// bucket itself.
	stored map[string][]byte
}

// NewSyncer prepares a Syncer; reg may be nil.
func NewSyncer(js jetstream.JetStream, inv inventory.Store, o SyncOptions, log *slog.Logger, reg prometheus.Registerer) *Syncer {
	return &Syncer{js: js, inv: inv, opts: o, log: log, m: newSyncMetrics(reg), stored: map[string][]byte{}}
}

// Run syncs at once and then every Refresh until ctx ends.
func (s *Syncer) Run(ctx context.Context) {
	t := time.NewTicker(s.opts.Refresh)
	defer t.Stop()
	for {
		if _, err := s.Sync(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("agent configs not synced; retrying at the next refresh", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Sync derives every managed agent's config and publishes those that
// changed. A problem with one agent (a bad extra file, a config the
// agent's rules refuse) is logged and counted and leaves that agent on its
// previous config; the others still go out. The error is for failures
// that stop the whole round (inventory or bucket unreachable).
func (s *Syncer) Sync(ctx context.Context) (published int, err error) {
	as, err := s.inv.Assignments(ctx)
	if err != nil {
		return 0, err
	}
	s.m.managed.Set(float64(len(as)))
	var tiers map[string]string
	if s.opts.Ping.Confirm.Interval > 0 {
		if tiers, err = customerTiers(ctx, s.inv); err != nil {
			return 0, err
		}
	}
	var offers map[string]Release
	if s.opts.Releases != nil {
		offers = s.opts.Releases.Plan(ctx, as)
	}
	for _, a := range as {
		want, err := s.derive(a, tiers)
		if err == nil {
			if r, ok := offers[a.Agent]; ok {
				want, err = withRelease(want, &r)
			}
		}
		if err != nil {
			s.m.errors.Inc()
			s.log.Error("agent config not derived; the agent keeps its previous one", "agent", a.Agent, "site", a.Site.ID, "err", err)
			continue
		}
		have, known := s.stored[a.Agent]
		if !known {
			have, _, err = Get(ctx, s.js, a.Agent)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return published, err
			}
		}
		if bytes.Equal(have, want) {
			s.stored[a.Agent] = want
			continue
		}
		rev, err := Put(ctx, s.js, a.Agent, want)
		if err != nil {
			if ctx.Err() != nil {
				return published, ctx.Err()
			}
			s.m.errors.Inc()
			s.log.Error("agent config not published; the agent keeps its previous one", "agent", a.Agent, "err", err)
			continue
		}
		s.stored[a.Agent] = want
		published++
		s.m.published.Inc()
		s.log.Info("agent config published", "agent", a.Agent, "site", a.Site.ID, "lines", len(a.Lines), "snmp_devices", len(a.Devices), "revision", rev)
	}
	return published, nil
}

func (s *Syncer) derive(a inventory.Assignment, tiers map[string]string) ([]byte, error) {
	var extra []byte
	if s.opts.ExtraDir != "" {
		var err error
		extra, err = os.ReadFile(filepath.Join(s.opts.ExtraDir, a.Agent+".yaml"))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return Derive(a, Profiles{Ping: s.opts.Ping, SNMP: s.opts.SNMP, Tiers: tiers}, extra)
}

type syncMetrics struct {
	managed   prometheus.Gauge
	published prometheus.Counter
	errors    prometheus.Counter
}

func newSyncMetrics(reg prometheus.Registerer) *syncMetrics {
	m := &syncMetrics{
		managed: prometheus.NewGauge(prometheus.GaugeOpts{Name: "vantage_controller_managed_agents",
			Help: "Agents the inventory assigns a site to, whose probe set the controller publishes."}),
		published: prometheus.NewCounter(prometheus.CounterOpts{Name: "vantage_controller_agent_configs_published_total",
			Help: "Agent configs published because the inventory changed what an agent must watch."}),
		errors: prometheus.NewCounter(prometheus.CounterOpts{Name: "vantage_controller_agent_config_errors_total",
			Help: "Agent configs not derived or not published (bad extra file, refused by the agent's rules)."}),
	}
	if reg != nil {
		reg.MustRegister(m.managed, m.published, m.errors)
	}
	return m
}
