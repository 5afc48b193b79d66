package result

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

// Schema describes one measurement: which tags it may carry (besides "agent")
// and which fields, with their kinds.
type Schema struct {
	// Tags lists the allowed tag keys, "agent" excluded.
	Tags []string
	// Required lists tag keys that must be present and non-empty.
	Required []string
	// Fields maps each allowed field key to its kind.
	Fields map[string]Kind
	// Strings lists the allowed string fields (Result.Text). Only the
	// controller's own measurements have any: agents' results stay numeric.
	Strings []string
}

// Schemas are the measurements of DESIGN.md that agents produce. Dashboards,
// reports and tests rely on these names: change them only together.
var Schemas = map[string]Schema{
	"ping": {
		Tags:     []string{"target", "line", "customer", "site"},
		Required: []string{"target"},
		Fields: map[string]Kind{
			"rtt_min_ms": Float, "rtt_avg_ms": Float, "rtt_max_ms": Float, "jitter_ms": Float,
			"sent": Int, "recv": Int, "loss_pct": Float,
		},
	},
	"dial": {
		Tags:     []string{"target", "kind", "line", "customer", "site"},
		Required: []string{"target", "kind"},
		Fields: map[string]Kind{
			"ok": Bool, "dns_ms": Float, "connect_ms": Float, "tls_ms": Float, "cert_days_left": Float,
		},
	},
	"http": {
		Tags:     []string{"target", "line", "customer", "site"},
		Required: []string{"target"},
		Fields: map[string]Kind{
			"ok": Bool, "status": Int, "dns_ms": Float, "connect_ms": Float, "tls_ms": Float,
			"ttfb_ms": Float, "total_ms": Float, "bytes": Int, "throughput_kbps": Float,
		},
	},
	"snmp_if": {
		Tags:     []string{"device", "ifindex", "ifname", "line"},
		Required: []string{"device", "ifindex"},
		Fields: map[string]Kind{
			"oper_up": Bool, "admin_up": Bool, "in_bps": Float, "out_bps": Float,
			"in_errors": Int, "out_errors": Int, "last_change_s": Float,
		},
	},
	"snmp": {
		Tags:     []string{"device", "metric", "line", "site"},
		Required: []string{"device", "metric"},
		Fields:   map[string]Kind{"value": Float},
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
		Tags:     []string{"device", "ifindex", "ifname", "line", "kind", "source"},
		Required: []string{"device", "kind"},
		Fields: map[string]Kind{
			"oper_up": Bool, "earliest_unix": Float, "latest_unix": Float, "uptime_s": Float,
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
		Fields:   map[string]Kind{"up": Int},
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
	"line_event": {
		Tags:     []string{"line", "customer", "kind"},
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
