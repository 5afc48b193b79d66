package snmp

import "time"

// counterDelta is how far a counter moved between two readings of the same
// width. A 32-bit counter that reads smaller has wrapped once (at 1 Gb/s an
// octet counter wraps every 34 s); a 64-bit one that reads smaller was reset,
// because it would need decades to wrap even at 100 Gb/s. wrapped says the
// delta assumed a wrap, which the caller may still find implausible.
func counterDelta(prev, cur counter) (delta uint64, wrapped, ok bool) {
	if prev.bits == 0 || cur.bits == 0 || prev.bits != cur.bits {
		return 0, false, false // a changed width is a new baseline
	}
	if cur.v >= prev.v {
		return cur.v - prev.v, false, true
	}
	if cur.bits == 32 {
		return cur.v + (1 << 32) - prev.v, true, true
	}
	return 0, false, false
}

// maxOverSpeed is how far above ifHighSpeed a rate computed across an assumed
// 32-bit wrap may lie before it is read as a counter reset instead.
const maxOverSpeed = 1.5

// octetRate turns two octet counter readings into bits per second. It refuses
// (ok false) a reset, a changed counter width, and a wrap that would imply
// more than the interface speed: a reset read as a wrap is the classic bogus
// spike.
func octetRate(prev, cur counter, seconds float64, speedMbps uint64) (bps float64, ok bool) {
	if seconds <= 0 {
		return 0, false
	}
	d, wrapped, ok := counterDelta(prev, cur)
	if !ok {
		return 0, false
	}
	bps = float64(d) * 8 / seconds
	if wrapped && speedMbps > 0 && bps > float64(speedMbps)*1e6*maxOverSpeed {
		return 0, false
	}
	return bps, true
}

// errorDelta is how many errors were counted between two readings. Error
// counters are never assumed to wrap (4 billion errors between two polls is
// not a thing): a smaller reading is a reset and yields nothing.
func errorDelta(prev, cur counter) (uint64, bool) {
	if prev.bits == 0 || cur.bits == 0 || cur.v < prev.v {
		return 0, false
	}
	return cur.v - prev.v, true
}

// rebootTolerance is how far sysUpTime may fall behind the wall clock
// between two polls before the device counts as restarted: 10 s for request
// latency and clock steps, plus 1% of the gap for slow device clocks.
func rebootTolerance(gap time.Duration) time.Duration { return 10*time.Second + gap/100 }

// rebooted reports whether a device restarted between two polls: its
// sysUpTime fell behind where the elapsed wall time says it should be. The
// comparison is modular, so the 32-bit sysUpTime wrap after 497 days is not
// a reboot. A device that restarts within the tolerance right after being
// up for less than it is not caught; its 64-bit counters then read as a
// reset, which yields no rate rather than a spike.
func rebooted(prevUptime uint32, prevAt time.Time, uptime uint32, now time.Time) bool {
	gap := now.Sub(prevAt)
	ticks := int64(gap / (10 * time.Millisecond))
	expected := uint32(int64(prevUptime) + ticks)
	drift := time.Duration(int32(uptime-expected)) * 10 * time.Millisecond
	return drift < -rebootTolerance(gap)
}

// ticksAgo converts "uptime - then" in sysUpTime ticks to a duration,
// modulo the 32-bit wrap.
func ticksAgo(uptime, then uint32) time.Duration {
	return time.Duration(uptime-then) * 10 * time.Millisecond
}
