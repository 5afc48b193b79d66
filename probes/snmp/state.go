package snmp

import (
	"strconv"
	"time"

	"github.com/vantage-net/vantage/probes/probe"
)

// ifState is what the next poll compares an interface against.
type ifState struct {
	index         int
	up            bool
	lastChange    uint32
	hasLC         bool
	in, out       counter
	inErr, outErr counter
	disc          uint32
	hasDisc       bool
}

// deviceState is one device's memory between polls. It is only touched by
// the device's own round (see device.lock).
type deviceState struct {
	polled    bool
	at        time.Time // when the previous poll's answer arrived
	uptime    uint32    // its sysUpTime
	hasUptime bool
	ifs       map[string]ifState
	lines     lineMapper
	scalars   map[string]counter
}

func newDeviceState() *deviceState {
	return &deviceState{ifs: map[string]ifState{}, lines: newLineMapper(), scalars: map[string]counter{}}
}

// pollReport is what a poll found worth a log line or a metric.
type pollReport struct {
	reboot          bool
	renumbered      []string // ifNames seen at a new ifIndex
	lineChanges     []lineChange
	unseenFlaps     int
	discontinuities int
	lines           map[int]string // ifIndex → line, for the trap lookup
}

// update compares a poll with the previous one of the same device and
// returns its samples. now is when the answer arrived. It is a pure function
// of the state, the snapshot and now, which is what the unit tests drive.
func (s *deviceState) update(device string, now time.Time, snap snapshot, cfg Device) ([]probe.Sample, pollReport) {
	var rep pollReport
	// cont: this poll continues the previous one, so deltas mean something.
	// Without sysUpTime a reboot cannot be seen; 64-bit counters still
	// refuse to go backwards then.
	cont := s.polled
	if cont && s.hasUptime && snap.hasUptime && rebooted(s.uptime, s.at, snap.uptime, now) {
		rep.reboot, cont = true, false
	}
	seconds := now.Sub(s.at).Seconds()
	lines, changes := s.lines.resolve(snap.rows, cfg.Interfaces)
	rep.lineChanges, rep.lines = changes, lines

	names := map[string]int{}
	for _, r := range snap.rows {
		names[r.name]++
	}
	var out []probe.Sample
	next := make(map[string]ifState, len(snap.rows))
	for _, r := range snap.rows {
		// Identity survives renumbering when the name is unique.
		key := "#" + strconv.Itoa(r.index)
		if r.name != "" && names[r.name] == 1 {
			key = "n:" + r.name
		}
		cur := ifState{
			index: r.index, up: r.oper == ifStatusUp, lastChange: r.lastChange, hasLC: r.hasLC,
			in: r.in, out: r.out, inErr: r.inErrors, outErr: r.outErrors, disc: r.disc, hasDisc: r.hasDisc,
		}
		next[key] = cur
		line := lines[r.index]
		if cfg.onlyMapped() && line == "" {
			continue
		}
		prev, seen := s.ifs[key]
		if seen && prev.index != r.index {
			rep.renumbered = append(rep.renumbered, r.name)
		}
		tags := map[string]string{"device": device, "ifindex": strconv.Itoa(r.index)}
		if r.name != "" {
			tags["ifname"] = r.name
		}
		if line != "" {
			tags["line"] = line
		}
		fields := map[string]float64{
			"oper_up":  boolField(r.oper == ifStatusUp),
			"admin_up": boolField(r.admin == ifStatusUp),
		}
		if snap.hasUptime && r.hasLC {
			fields["last_change_s"] = ticksAgo(snap.uptime, r.lastChange).Seconds()
		}
		if cont && seen {
			if prev.index == r.index && !(prev.hasDisc && r.hasDisc && prev.disc != r.disc) {
				rep.discontinuities += addRates(fields, prev, cur, seconds, r.speedMbps)
			} else {
				rep.discontinuities++
			}
			if ev, ok := s.linkEvent(device, tags, prev, cur, snap.uptime, now); ok {
				if ev.Kind == KindUnseenFlap {
					rep.unseenFlaps++
				}
				out = append(out, ev.Sample())
			}
		}
		out = append(out, probe.Sample{Measurement: MeasurementIf, Tags: tags, Fields: fields})
	}
	out = append(out, s.scalarSamples(device, snap, cont, seconds, cfg)...)
	if rep.reboot {
		boot := now.Add(-ticksAgo(snap.uptime, 0))
		boot = clampTime(boot, s.at, now)
		out = append(out, Event{
			Device: device, Kind: KindReboot, Source: SourcePoll,
			At: boot, Earliest: s.at, Latest: boot,
		}.Sample())
	}
	s.ifs, s.polled, s.at, s.uptime, s.hasUptime = next, true, now, snap.uptime, snap.hasUptime
	return out, rep
}

// addRates sets in_bps/out_bps/in_errors/out_errors where the counters allow
// and returns how many of them it had to leave out for a discontinuity.
func addRates(fields map[string]float64, prev, cur ifState, seconds float64, speedMbps uint64) int {
	missing := 0
	if bps, ok := octetRate(prev.in, cur.in, seconds, speedMbps); ok {
		fields["in_bps"] = bps
	} else if cur.in.bits != 0 {
		missing++
	}
	if bps, ok := octetRate(prev.out, cur.out, seconds, speedMbps); ok {
		fields["out_bps"] = bps
	} else if cur.out.bits != 0 {
		missing++
	}
	if n, ok := errorDelta(prev.inErr, cur.inErr); ok {
		fields["in_errors"] = float64(n)
	}
	if n, ok := errorDelta(prev.outErr, cur.outErr); ok {
		fields["out_errors"] = float64(n)
	}
	return missing
}

// linkEvent infers a link change between the previous poll and this one.
// The change time comes from ifLastChange converted through sysUpTime; it is
// kept between the two polls, because an agent's ifLastChange may lag the
// real change (net-snmp on Linux by up to ~3 s) or be garbage.
func (s *deviceState) linkEvent(device string, tags map[string]string, prev, cur ifState, uptime uint32, now time.Time) (Event, bool) {
	moved := prev.hasLC && cur.hasLC && prev.lastChange != cur.lastChange
	if prev.up == cur.up && !moved {
		return Event{}, false
	}
	ev := Event{
		Device: device, Source: SourcePoll, IfName: tags["ifname"], Line: tags["line"],
		OperUp: &cur.up, Earliest: s.at, Latest: now,
	}
	ev.IfIndex = cur.index
	if moved && uptime != 0 {
		ev.Latest = clampTime(now.Add(-ticksAgo(uptime, cur.lastChange)), s.at, now)
		ev.Uptime, ev.HasUptime = ticksAgo(cur.lastChange, 0), true
	}
	ev.At = ev.Latest
	switch {
	case prev.up == cur.up:
		// Same state, but ifLastChange moved: down and up (or up and down)
		// again between the polls.
		ev.Kind = KindUnseenFlap
	case cur.up:
		ev.Kind = KindLinkUp
	default:
		ev.Kind = KindLinkDown
	}
	return ev, true
}
