package registry

import "time"

// State is an agent's liveness as the controller sees it.
type State string

const (
	// Online: a heartbeat arrived within MissedHeartbeats intervals.
	Online State = "online"
	// Offline: silent for longer, or not heard since the controller started.
	Offline State = "offline"
)

// Agent is one agent's registry entry, as GET /api/v1/agents serves it.
// Times are the controller's clock except where a field says otherwise.
type Agent struct {
	ID         string    `json:"id"`
	Site       string    `json:"site,omitempty"`
	State      State     `json:"state"`
	StateSince time.Time `json:"state_since"`
	FirstSeen  time.Time `json:"first_seen"`
	// LastSeen is when the controller received the last heartbeat.
	LastSeen time.Time `json:"last_seen"`
	Version  string    `json:"version"`
	// ConfigRev is the config revision the agent runs (0: its local file).
	ConfigRev      uint64 `json:"config_rev"`
	SpoolDepth     int    `json:"spool_depth"`
	ResultsSent    uint64 `json:"results_sent"`
	ResultsDropped uint64 `json:"results_dropped"`
	// HeartbeatIntervalS is the interval the agent reported, or the
	// registry's default for agents that do not report one.
	HeartbeatIntervalS float64 `json:"heartbeat_interval_s"`
	// ClockOffsetS is the agent's clock minus the controller's at the last
	// heartbeat, in seconds: positive when the agent runs ahead. It includes
	// the heartbeat's transit time (milliseconds on a healthy link), which
	// makes it read slightly negative on a correct clock.
	ClockOffsetS float64 `json:"clock_offset_s"`
	// ClockSkewed is set when |ClockOffsetS| exceeds the registry's
	// threshold: this agent's event times are not to be trusted as is.
	ClockSkewed bool `json:"clock_skewed"`
	// Probes is how many (probe, target) jobs the agent has scheduled.
	Probes int `json:"probes"`
}

// entry is an Agent with the registry's bookkeeping.
type entry struct {
	Agent
	// deadline is when the agent becomes offline without another heartbeat.
	deadline time.Time
	// announcedUp is true while the last `agent` point written (or, after a
	// restart, the last stored state) said up: an up=0 point is owed when
	// the deadline passes.
	announcedUp bool
	// dirty marks a change not yet stored in the database.
	dirty bool
	// suspect is true after one heartbeat beyond the clock threshold that
	// is not yet confirmed by the next (setOffset); suspectOffset is its offset.
	suspect       bool
	suspectOffset time.Duration
}
