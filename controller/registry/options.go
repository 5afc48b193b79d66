package registry

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/vantage-net/vantage/internal/clock"
)

// Options configure a Registry. The zero value of each field means its
// default.
type Options struct {
	// DB is the controller's database (controller/store/sqlite, migration
	// 0005); nil keeps the registry in memory only.
	DB *sql.DB
	// Points queues the `agent` measurement for InfluxDB; nil writes none.
	Points PointQueue
	// Sites says where each agent runs (*inventory.SQLStore): an agent's
	// site, on its `agent` points and in the API, is the inventory site
	// that names it, never what its heartbeat claims (an agent is an
	// untrusted edge box). nil: agents have no site.
	Sites SiteSource
	// SiteRefresh is how often Sites is re-read (default 1 min, as line
	// health re-reads the inventory).
	SiteRefresh time.Duration
	// Clock is the controller's clock (default clock.Real).
	Clock clock.Clock
	// MissedHeartbeats is how many heartbeat intervals of silence make an
	// agent offline (default 3): one lost heartbeat on a lossy uplink is
	// not an outage of the agent.
	MissedHeartbeats int
	// DefaultInterval is the heartbeat interval assumed for an agent that
	// does not report its own (default 10s, the agent's default).
	DefaultInterval time.Duration
	// MaxClockOffset is the largest |agent clock − controller clock| not
	// flagged (default 2s). Line detection orders evidence by event time;
	// beyond a couple of seconds a skewed agent's flaps land visibly wrong.
	MaxClockOffset time.Duration
	// Tick is how often offline transitions are evaluated and points and
	// state are flushed (default 1s): the error on "offline" timing.
	Tick time.Duration
	// MaxPendingPoints bounds the `agent` points held in memory while the
	// queue refuses them (the database failing; InfluxDB being down does
	// not: the queue holds points for it) (default 10,000, a heartbeat
	// round of 10,000 agents). Beyond it the oldest are dropped and
	// counted: these points are for dashboards, and the registry's own
	// state is kept regardless.
	MaxPendingPoints int
	// MaxAgents bounds how many agent ids the registry tracks (default
	// 100,000), so heartbeats under made-up ids cannot grow it without
	// limit where NATS permissions do not already prevent them.
	MaxAgents int
}

// SiteSource maps agent ids to the inventory site that names them.
type SiteSource interface {
	AgentSites(ctx context.Context) (map[string]string, error)
}

func (o *Options) setDefaults() error {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.MissedHeartbeats == 0 {
		o.MissedHeartbeats = 3
	}
	if o.DefaultInterval == 0 {
		o.DefaultInterval = 10 * time.Second
	}
	if o.MaxClockOffset == 0 {
		o.MaxClockOffset = 2 * time.Second
	}
	if o.Tick == 0 {
		o.Tick = time.Second
	}
	if o.SiteRefresh == 0 {
		o.SiteRefresh = time.Minute
	}
	if o.MaxPendingPoints == 0 {
		o.MaxPendingPoints = 10000
	}
	if o.MaxAgents == 0 {
		o.MaxAgents = 100000
	}
	switch {
	case o.MissedHeartbeats < 1:
		return fmt.Errorf("registry: missed heartbeats %d must be at least 1", o.MissedHeartbeats)
	case o.DefaultInterval < 0, o.MaxClockOffset < 0, o.Tick < 0, o.SiteRefresh < 0:
		return fmt.Errorf("registry: durations must not be negative")
	case o.MaxPendingPoints < 0, o.MaxAgents < 0:
		return fmt.Errorf("registry: limits must not be negative")
	}
	return nil
}
