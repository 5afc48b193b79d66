package result

import "time"

// Heartbeat is the payload of vantage.heartbeat.<agent_id>, sent every
// heartbeat interval. Silence from an agent is evidence too, but not the same
// as a failed probe: the controller uses heartbeats to tell them apart.
type Heartbeat struct {
	Agent   string    `json:"agent"`
	Site    string    `json:"site,omitempty"`
	Version string    `json:"version"`
	Time    time.Time `json:"t"` // agent clock; the controller derives clock offset from it
	// UptimeS is seconds since the agent process started.
	UptimeS float64 `json:"uptime_s"`
	// SpoolDepth is how many results wait for JetStream's acknowledgement.
	SpoolDepth int `json:"spool_depth"`
	// ResultsSent counts results JetStream acknowledged since start.
	ResultsSent uint64 `json:"results_sent"`
	// ResultsDropped counts results dropped because the spool was full.
	ResultsDropped uint64 `json:"results_dropped"`
	// ConfigRevision is the config revision the agent runs (0: local file).
	ConfigRevision uint64 `json:"config_rev"`
	// Probes is how many (probe, target) jobs are scheduled.
	Probes int `json:"probes"`
	// IntervalS is the agent's heartbeat interval in seconds, so the
	// controller can call it offline after a few missed heartbeats whatever
	// its configured interval. Optional: older agents omit it and the
	// controller infers the interval from the gaps it sees.
	IntervalS float64 `json:"interval_s,omitempty"`
}
