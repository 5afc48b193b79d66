package result

import "math"

// Kind is the InfluxDB type a field is written as. Fixing it per field matters:
// InfluxDB refuses a point whose field type differs from what the shard already
// holds, so "sent" must be an integer on every point, forever.
type Kind int

const (
	// Float is written as an InfluxDB float.
	Float Kind = iota
	// Int is written as an InfluxDB integer; the wire value must be whole.
	Int
	// Bool is written as an InfluxDB boolean; the wire value must be 0 or 1.
	Bool
)

// Range is the closed interval a field's value must lie in. Values outside
// it are not measurements but bugs or forgeries: a loss of -5 %, an RTT of
// 1.8e308 ms. They are refused with the field named (ErrOutOfRange), never
// stored, because one impossible point ruins every average over it.
type Range struct{ Min, Max float64 }

// Schema describes one measurement: which tags it may carry (besides "agent")
// and which fields, with their kinds.
type Schema struct {
	// FromAgents is true for the measurements agents may publish (DESIGN.md:
	// ping, dial, http, snmp_if, snmp, snmp_event). Every other measurement
	// is the controller's own (line state, the agent registry): the ingest
	// refuses it from an agent (ErrForbidden), so no agent can forge an
	// outage or another agent's registry entry.
	FromAgents bool
	// Tags lists the allowed tag keys, "agent" excluded.
	Tags []string
	// Required lists tag keys that must be present and non-empty.
	Required []string
	// Fields maps each allowed field key to its kind.
	Fields map[string]Kind
	// Strings lists the allowed string fields (Result.Text). Only the
	// controller's own measurements have any: agents' results stay numeric.
	Strings []string
	// Ranges bounds every field of an agent measurement (Bool fields are
	// 0 or 1 by their kind). Timings are milliseconds, counts are whole and
	// never negative.
	Ranges map[string]Range
	// NotAbove lists field pairs {a, b} where a must not exceed b when both
	// are present: a ping cannot receive more replies than it sent.
	NotAbove [][2]string
}

// Bounds shared by several measurements.
var (
	// rttMs bounds a round-trip time: a ping waits for a reply far less
	// than a minute, so anything beyond is not an RTT.
	rttMs = Range{0, 60_000}
	// phaseMs bounds a phase of a dial or an HTTP round (DNS, connect,
	// TLS, first byte, the whole download): generous for slow downloads
	// with long timeouts, but an hour is not a probe round.
	phaseMs = Range{0, 3_600_000}
	// count bounds counters and sizes: whole, never negative, and exact
	// in a float64 (the wire format).
	count = Range{0, 1 << 53}
	// bps bounds an interface rate: 10 Tbit/s is beyond any port.
	bps = Range{0, 1e13}
	// unixTime bounds a wall-clock time in Unix seconds: 2000-01-01, as
	// for event times, to 2286.
	unixTime = Range{946_684_800, 1e10}
	// uptimeS bounds an SNMP uptime or age in seconds (sysUpTime wraps at
	// 2^32 centiseconds, 497 days; 1e10 s leaves room for 64-bit sources).
	uptimeS = Range{0, 1e10}
	// bit is a Bool field's range, set for completeness of the table.
	bit = Range{0, 1}
	// confirmN bounds the confirm field: the index of a confirmation round
	// in its sequence (agent/schedule), 1 for the first. Absent on a slot's
	// round, so results of agents without confirmation are unchanged.
	confirmN = Range{1, 100_000}
)

// Schemas are the measurements of DESIGN.md: those agents produce
// (FromAgents) and the controller's own. Dashboards, reports and tests rely
// on these names: change them only together.
var Schemas = map[string]Schema{
	"ping": {
		FromAgents: true,
		Tags:       []string{"target", "line", "customer", "site", "network"},
		Required:   []string{"target"},
		Fields: map[string]Kind{
			"rtt_min_ms": Float, "rtt_avg_ms": Float, "rtt_max_ms": Float, "jitter_ms": Float,
			"sent": Int, "recv": Int, "loss_pct": Float, "confirm": Int,
		},
		Ranges: map[string]Range{
			"rtt_min_ms": rttMs, "rtt_avg_ms": rttMs, "rtt_max_ms": rttMs, "jitter_ms": rttMs,
			"sent": count, "recv": count, "loss_pct": {0, 100}, "confirm": confirmN,
		},
		NotAbove: [][2]string{{"recv", "sent"}},
	},
	"dial": {
		FromAgents: true,
		Tags:       []string{"target", "kind", "line", "customer", "site", "network"},
		Required:   []string{"target", "kind"},
		Fields: map[string]Kind{
			"ok": Bool, "dns_ms": Float, "connect_ms": Float, "tls_ms": Float, "cert_days_left": Float,
			"confirm": Int,
		},
		Ranges: map[string]Range{
			"ok": bit, "confirm": confirmN, "dns_ms": phaseMs, "connect_ms": phaseMs, "tls_ms": phaseMs,
			// Negative once the certificate has expired; ±100,000 days
			// (274 years) covers the longest self-signed certificates.
			"cert_days_left": {-100_000, 100_000},
		},
	},
	"http": {
		FromAgents: true,
		Tags:       []string{"target", "line", "customer", "site", "network"},
		Required:   []string{"target"},
		Fields: map[string]Kind{
			"ok": Bool, "status": Int, "dns_ms": Float, "connect_ms": Float, "tls_ms": Float,
			"ttfb_ms": Float, "total_ms": Float, "bytes": Int, "throughput_kbps": Float,
			"confirm": Int,
		},
		Ranges: map[string]Range{
			// status is present only when a response arrived (probes/http
			// omits it otherwise), so it is always a real HTTP status.
			"ok": bit, "status": {100, 599},
			"dns_ms": phaseMs, "connect_ms": phaseMs, "tls_ms": phaseMs, "ttfb_ms": phaseMs, "total_ms": phaseMs,
			// throughput_kbps: 1e12 kbit/s is far beyond any link, even
			// for a tiny body timed in microseconds on loopback.
			"bytes": count, "throughput_kbps": {0, 1e12}, "confirm": confirmN,
		},
	},
	"snmp_if": {
		FromAgents: true,
		Tags:       []string{"device", "ifindex", "ifname", "line"},
		Required:   []string{"device", "ifindex"},
		Fields: map[string]Kind{
			"oper_up": Bool, "admin_up": Bool, "in_bps": Float, "out_bps": Float,
			"in_errors": Int, "out_errors": Int, "last_change_s": Float,
		},
		Ranges: map[string]Range{
			"oper_up": bit, "admin_up": bit, "in_bps": bps, "out_bps": bps,
			"in_errors": count, "out_errors": count, "last_change_s": uptimeS,
		},
	},
	"snmp": {
		FromAgents: true,
		Tags:       []string{"device", "metric", "line", "site"},
		Required:   []string{"device", "metric"},
		Fields:     map[string]Kind{"value": Float},
		// value is whatever a configured OID holds (RSRP is negative,
		// Counter64 reaches 1.8e19): any finite number.
		Ranges: map[string]Range{"value": {-math.MaxFloat64, math.MaxFloat64}},
	},
	// snmp_event is one SNMP-observed change of a device or interface, from
	// a poll (source=poll) or a trap (source=trap). kind is one of
	// link_down, link_up, unseen_flap, cold_start, warm_start, reboot.
	// The point's time is the best estimate of when it happened (a trap's
	// arrival; for polls the interface's ifLastChange as wall time);
	// earliest_unix / latest_unix bound it: an unseen_flap started after
	// earliest_unix and was over by latest_unix. uptime_s is the device's
	// sysUpTime at the change, so the same event seen by a trap and by a
	// poll can be matched. oper_up is the interface state after the event.
	"snmp_event": {
		FromAgents: true,
		Tags:       []string{"device", "ifindex", "ifname", "line", "kind", "source"},
		Required:   []string{"device", "kind"},
		Fields: map[string]Kind{
			"oper_up": Bool, "earliest_unix": Float, "latest_unix": Float, "uptime_s": Float,
		},
		Ranges: map[string]Range{
			"oper_up": bit, "earliest_unix": unixTime, "latest_unix": unixTime, "uptime_s": uptimeS,
		},
	},
	// line_state and line_event are written by the controller's line-health
	// detector (controller/linehealth), not by agents: a point of line_state on
	// every final transition of a line (up 1 when it came up, 0 when it went
	// down, unknown or flapping), a point of line_event at each outage, flap
	// or degradation's start. They are listed here because the controller's
	// InfluxDB writer encodes every measurement from this one list.
	"line_state": {
		Tags:     []string{"line", "customer"},
		Required: []string{"line"},
		// flapping is 1 on the transition into flapping (dampened, up 0)
		// and 0 on every other, so up 0 alone does not say down.
		Fields: map[string]Kind{"up": Int, "flapping": Int},
	},
	// agent is written by the controller's agent registry
	// (controller/registry) from heartbeats: a point per heartbeat (up 1)
	// and one when an agent goes offline (up 0), at the controller's clock.
	// version is a string field (Result.Text), as DESIGN.md lists it. up and clock_skewed
	// are integers 0/1, like line_state's up, so a dashboard can sum them
	// to count agents online or skewed.
	"agent": {
		Tags: []string{"site"},
		Fields: map[string]Kind{
			"up": Int, "spool_depth": Int, "results_sent": Int, "results_dropped": Int,
			"config_rev": Int, "clock_offset_s": Float, "clock_skewed": Int,
		},
		Strings: []string{"version"},
	},
	// coverage is written by the controller's coverage evaluation
	// (controller/coverage) once per evaluation and site or grid cell
	// (site "" for a cell's point): score 0..100 from the window's radio
	// metrics and achieved throughput, the window's medians, and weak 1
	// while the cell or site is below its weak-score threshold.
	"coverage": {
		Tags: []string{"site", "grid"},
		Fields: map[string]Kind{
			"score": Float, "rsrp_dbm": Float, "sinr_db": Float, "rssi_dbm": Float,
			"throughput_kbps": Float, "weak": Int,
		},
	},
	// complaint is written by controller/complaints: n 1 per complaint at
	// its received time (plus a sub-millisecond offset from its id, so two
	// complaints of one series at the same instant stay two points), with
	// its linked customer, grid cell, category and current verdict. When
	// a re-evaluation changes a tag, the old series gets n 0 at the same
	// time (an overwrite), so sum(n) counts each complaint once.
	"complaint": {
		Tags:     []string{"customer", "grid", "category", "verdict"},
		Required: []string{"category", "verdict"},
		Fields:   map[string]Kind{"n": Int},
	},
	// notification is written by controller/notify's sender, one point per
	// delivery attempt's outcome (sent, retry, failed): latency_s from the
	// incident's start (or the window notice's due time) to the outcome.
	"notification": {
		Tags:     []string{"channel", "kind", "outcome", "tier"},
		Required: []string{"channel", "kind", "outcome"},
		Fields:   map[string]Kind{"latency_s": Float},
	},
	// line_event's cause (outages and flaps of lines watched from both
	// ends): line, customer_premises, watcher_uplink or unknown
	// (controller/cause).
	"line_event": {
		Tags:     []string{"line", "customer", "kind", "cause"},
		Required: []string{"line", "kind"},
		Fields:   map[string]Kind{"duration_s": Float, "loss_pct": Float, "started_unix": Float},
	},
}

// TagAllowed reports whether key may be a tag of this measurement.
func (s Schema) TagAllowed(key string) bool {
	for _, t := range s.Tags {
		if t == key {
			return true
		}
	}
	return false
}
