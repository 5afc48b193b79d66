package notify

import (
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/linestate"
)

// TestIncidentIDsAboveInt32: on a shared PostgreSQL database every
// controller, and in cluster mode every partition, takes incident IDs from
// a block of 2^32 of its own (controller/linehealth), so every ID is above
// 2^31. The hook's queries must bind them as 64-bit integers: a CAST to
// INTEGER is int4 in PostgreSQL, and every commit with an incident failed
// ("unable to encode 4294967297 into binary format for int4").
func TestIncidentIDsAboveInt32(t *testing.T) {
	r := newRig(t, diamondRules(), nil)
	r.grp = incident.New(incident.Options{Now: r.clock, FirstID: 1<<32 + 1, LastID: 2 << 32})
	r.customer("D1", "diamond", "li@d1.example", "en")
	l1 := incident.Line{ID: "0571-0001", Customer: "D1", Tier: "diamond"}
	r.line(l1, linestate.Down, t0)
	r.at(t0.Add(30 * time.Second))
	r.send()
	r.line(l1, linestate.Up, t0.Add(40*time.Second))
	r.send()
	st := r.statuses()
	if st["outage_start/sent"] == 0 || st["outage_end/sent"] == 0 || len(st) != 2 {
		t.Errorf("outbox %v, want only starts and recoveries, all sent", st)
	}
}
