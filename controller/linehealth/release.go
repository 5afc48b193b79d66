package linehealth

import (
	"context"
)

// Release settles lines this Monitor stops watching because an inventory
// change moved them to another partition (controller/partition calls it
// before it restarts the partition without them): their open incidents
// here note "moved" with note and close (incident.Grouper.Release), and
// the change is committed now, so no incident is left open that no
// partition will ever close. The new partition starts the lines afresh,
// as newly imported ones: an outage still going on opens a new incident
// there. The caller must already have stopped feeding the lines'
// evidence to this Monitor.
func (mon *Monitor) Release(ctx context.Context, lines []string, note string) error {
	mon.commitMu.Lock()
	defer mon.commitMu.Unlock()
	mon.mu.Lock()
	now := mon.opts.Now()
	for _, l := range lines {
		for _, in := range mon.grp.Release(l, now, note) {
			mon.pend.incidents = append(mon.pend.incidents, in)
			mon.trackIncident(in)
		}
	}
	mon.mu.Unlock()
	return mon.commit(ctx)
}
