package snmp

import (
	"strconv"
	"time"

	"github.com/vantage-net/vantage/probes/probe"
)

// Measurements this package and the trap listener produce.
const (
	MeasurementIf     = "snmp_if"
	MeasurementScalar = "snmp"
	MeasurementEvent  = "snmp_event"
)

// Kinds of snmp_event (the kind tag).
const (
	// KindLinkDown: the interface went down (trap, or a poll saw oper up → not up).
	KindLinkDown = "link_down"
	// KindLinkUp: the interface came up.
	KindLinkUp = "link_up"
	// KindUnseenFlap: a poll read the same oper status as the previous one
	// but ifLastChange moved, so the port changed at least twice in between.
	KindUnseenFlap = "unseen_flap"
	// KindColdStart and KindWarmStart are the device's own restart traps.
	KindColdStart = "cold_start"
	KindWarmStart = "warm_start"
	// KindReboot: a poll found sysUpTime reset, so the device restarted
	// between two polls (whether cold or warm is not known).
	KindReboot = "reboot"
)

// Sources of snmp_event (the source tag).
const (
	SourcePoll = "poll"
	SourceTrap = "trap"
)

// Event is one snmp_event before it becomes a sample.
type Event struct {
	// Device is the device tag: the polling target, or what a trap source
	// is configured to call itself, so both end up on the same series.
	Device string
	// Kind is one of the Kind constants.
	Kind string
	// Source is SourcePoll or SourceTrap.
	Source string
	// IfIndex is 0 for device-wide events.
	IfIndex int
	// IfName and Line are empty when unknown.
	IfName, Line string
	// OperUp is the interface's state after the event; nil when unknown or
	// not about an interface.
	OperUp *bool
	// At is the point's time: the best estimate of when it happened.
	At time.Time
	// Earliest and Latest bound the event (zero: unknown).
	Earliest, Latest time.Time
	// Uptime is the device's sysUpTime at the change; HasUptime says it is known.
	Uptime    time.Duration
	HasUptime bool
}

// Sample renders the event as an snmp_event sample.
func (e Event) Sample() probe.Sample {
	tags := map[string]string{"device": e.Device, "kind": e.Kind, "source": e.Source}
	if e.IfIndex > 0 {
		tags["ifindex"] = strconv.Itoa(e.IfIndex)
	}
	if e.IfName != "" {
		tags["ifname"] = e.IfName
	}
	if e.Line != "" {
		tags["line"] = e.Line
	}
	fields := map[string]float64{}
	if e.OperUp != nil {
		fields["oper_up"] = boolField(*e.OperUp)
	}
	if !e.Earliest.IsZero() {
		fields["earliest_unix"] = unixSeconds(e.Earliest)
	}
	if !e.Latest.IsZero() {
		fields["latest_unix"] = unixSeconds(e.Latest)
	}
	if e.HasUptime {
		fields["uptime_s"] = e.Uptime.Seconds()
	}
	return probe.Sample{Measurement: MeasurementEvent, Tags: tags, Fields: fields, Time: e.At}
}

func boolField(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// unixSeconds keeps millisecond precision: finer is noise for SNMP.
func unixSeconds(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

// clampTime keeps t inside [lo, hi].
func clampTime(t, lo, hi time.Time) time.Time {
	if t.Before(lo) {
		return lo
	}
	if t.After(hi) {
		return hi
	}
	return t
}
