package linehealth

import "time"

// The detector's clock with ArrivalClock: lateness counted at arrival.
//
// The detector refuses evidence more than its horizon behind its clock
// (linestate: TooLate), and the clock was the controller's wall clock.
// So evidence that reached the results stream in time but waited there
// for its consumer (a partition's handover to a new owner, a consumer cut
// off while one NATS server of the cluster stops) was refused for the
// controller's delay, not the agent's. In cluster mode's short form a
// partition handed over 13 s after a NATS server stop, whose results
// reached the stream a few seconds late, lost the first three failed
// rounds of an outage that way: stamped 3 s late, at takeover − horizon.
//
// With ArrivalClock the clock the detector is advanced to is the wall
// clock only while the caller's consumer is caught up. While it is
// behind, it is the arrival time (the stream's timestamp) of the newest
// message fed, so every message stored before it has been fed when the
// watermark passes it; and from the Monitor's start until the consumer
// first reports (the snapshot and journal restored, the backlog not yet
// pulled) the clock stays where the restored state left it.

// arrival is the consumer's progress as Consumed reported it; mu guards it.
type arrival struct {
	reported bool      // Consumed was called at least once
	behind   time.Time // arrival time of the newest message fed while more waited; zero: caught up
}

// Consumed tells a Monitor with ArrivalClock how far its consumer got:
// every message that reached the stream up to arrived has been fed
// (Stage or Handle), and caughtUp says none waits after it. A caller with
// nothing to consume reports caughtUp with a zero time.
func (mon *Monitor) Consumed(arrived time.Time, caughtUp bool) {
	mon.mu.Lock()
	defer mon.mu.Unlock()
	mon.arr.reported = true
	if caughtUp {
		mon.arr.behind = time.Time{}
	} else {
		mon.arr.behind = arrived
	}
}

// detectorNow is the time to advance the detector to at wall clock now,
// and false while it must not be advanced at all; the caller holds mu.
func (mon *Monitor) detectorNow(now time.Time) (time.Time, bool) {
	switch {
	case !mon.opts.ArrivalClock:
		return now, true
	case !mon.arr.reported:
		return time.Time{}, false
	case !mon.arr.behind.IsZero() && mon.arr.behind.Before(now):
		return mon.arr.behind, true
	}
	return now, true
}
