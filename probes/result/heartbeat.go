package result

import (
	"fmt"
	"math"
	"time"
)

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

// Heartbeat field ranges. An interval beyond an hour would let an agent
// be "online" for hours after it died (and 1e12 s overflowed the
// controller's deadline arithmetic); counts are never negative.
const (
	// MinHeartbeatIntervalS and MaxHeartbeatIntervalS bound IntervalS
	// when it is set (the agent's heartbeat_interval: 1s .. 1h).
	MinHeartbeatIntervalS = 1
	MaxHeartbeatIntervalS = 3600
	// maxUptimeS bounds UptimeS: 300 years.
	maxUptimeS = 1e10
	// maxCount bounds the counters: exact in a float64, as InfluxDB
	// integers are written.
	maxCount = 1 << 53
)

// Check refuses a heartbeat whose numbers are out of range, naming the
// field (*FieldError), and cleans its text in place: Version and Site are
// cut to MaxVersionBytes and MaxSiteBytes and freed of control characters
// (CleanText), so an agent's 900 KB version string never reaches a log.
func (hb *Heartbeat) Check() error {
	bad := func(field string, v any, why string) error {
		return &FieldError{Field: field, Msg: fmt.Sprintf("%v %s", v, why), Err: ErrOutOfRange}
	}
	switch {
	case math.IsNaN(hb.IntervalS) || hb.IntervalS != 0 && (hb.IntervalS < MinHeartbeatIntervalS || hb.IntervalS > MaxHeartbeatIntervalS):
		return bad("interval_s", hb.IntervalS, fmt.Sprintf("is outside %d..%d s", MinHeartbeatIntervalS, MaxHeartbeatIntervalS))
	case math.IsNaN(hb.UptimeS) || hb.UptimeS < 0 || hb.UptimeS > maxUptimeS:
		return bad("uptime_s", hb.UptimeS, "is not a plausible uptime in seconds")
	case hb.SpoolDepth < 0 || int64(hb.SpoolDepth) > maxCount: // int64: int is 32 bits on armv7 and MIPS
		return bad("spool_depth", hb.SpoolDepth, "is not a count")
	case hb.Probes < 0 || int64(hb.Probes) > maxCount:
		return bad("probes", hb.Probes, "is not a count")
	case hb.ResultsSent > maxCount:
		return bad("results_sent", hb.ResultsSent, "is beyond 2^53")
	case hb.ResultsDropped > maxCount:
		return bad("results_dropped", hb.ResultsDropped, "is beyond 2^53")
	case hb.ConfigRevision > maxCount:
		return bad("config_rev", hb.ConfigRevision, "is beyond 2^53")
	}
	hb.Version = CleanText(hb.Version, MaxVersionBytes, false)
	// Site becomes a tag of the agent measurement: one printable line.
	hb.Site = CleanText(hb.Site, MaxSiteBytes, false)
	return nil
}
