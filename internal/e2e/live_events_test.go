package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testinflux"
)

// Issue 11, "counts that arrive 15 minutes late", through the controller's
// API with its production defaults (no detector section: a 15-min
// horizon). An agent probes line L1 by HTTP on loopback; the target hangs
// (the round times out, as on a dead line) three times for 4 s. When the
// line shows flapping, GET /api/v1/lines/L1 must count the three flaps and
// list them as live events (final false), and /api/v1/lines the same
// count: at once, not a horizon later. Then the target hangs again and
// stays down: while it is down the outage is already a live event, open
// (no end), counted in outages_24h; when the target answers again it is
// the same event (same id) with its end, a flap (it lasted under a
// minute), counted once.
func TestLiveEventsCountAtOnceThroughAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	t.Parallel()
	influx := testinflux.Start(t)
	var down atomic.Bool
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			<-r.Context().Done() // hang until the probe gives up
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(target.Close)
	dataDir := t.TempDir()
	importInventory(t, dataDir, `customers:
  - {id: C1, name: Harbour Logistics, tier: gold}
elements:
  - {id: pop, kind: pop, name: PoP, agent: e2e-live-1}
  - {id: p1, parent: pop, kind: port, name: port 1}
lines:
  - {circuit_id: L1, customer: C1, upstream_element: p1}
`)
	ctrl := startControllerWith(t, influx, dataDir, "")
	a, _ := newAgent(t, fmt.Sprintf(`agent_id: e2e-live-1
site: {id: S-POP}
http_listen: 127.0.0.1:0
nats: {urls: [%s]}
publish: {batch_delay: 100ms}
probes:
  - name: pop-L1
    type: http
    interval: 1s
    timeout: 800ms
    labels: {line: L1}
    targets: [%s/L1]
`, ctrl.NATSURL(), target.URL))
	agentCtx, stopAgent := context.WithCancel(context.Background())
	agentDone := make(chan error, 1)
	go func() { agentDone <- a.Run(agentCtx) }()
	t.Cleanup(func() { stopAgent(); <-agentDone })

	ctx := lab.Deadline(t, 3*time.Minute)
	type event struct {
		ID    int64     `json:"id"`
		Kind  string    `json:"kind"`
		Final bool      `json:"final"`
		Open  bool      `json:"open"`
		End   time.Time `json:"end"`
	}
	var d struct {
		apiLine
		Events []event `json:"events"`
	}
	line := func() error {
		d.Events = nil // decoding into old elements would keep fields a new one omits (end)
		return getJSON(ctx, ctrl, "/api/v1/lines/L1", &d)
	}
	lab.WaitFor(t, ctx, 250*time.Millisecond, func() error {
		if err := line(); err != nil {
			return err
		}
		if d.State != "up" {
			return fmt.Errorf("L1 is %q, want up first", d.State)
		}
		return nil
	})
	for i := range 3 {
		down.Store(true)
		time.Sleep(4 * time.Second) // the drop itself (the schedule, not a wait for a result)
		down.Store(false)
		if i < 2 {
			time.Sleep(6 * time.Second)
		}
	}
	lab.WaitFor(t, ctx, 250*time.Millisecond, func() error {
		if err := line(); err != nil {
			return err
		}
		if d.State != "flapping" || d.Flaps24h < 3 {
			return fmt.Errorf("L1 is %q with %d flaps, waiting for flapping with 3", d.State, d.Flaps24h)
		}
		return nil
	})
	if d.Flaps24h != 3 || d.Outages24h != 0 || len(d.Events) != 3 || d.Availability24h >= 100 {
		t.Fatalf("L1: %d flaps, %d outages, availability %v, events %+v; want its 3 flaps counted at once",
			d.Flaps24h, d.Outages24h, d.Availability24h, d.Events)
	}
	for _, e := range d.Events {
		if e.Kind != "flap" || e.Final || e.ID == 0 {
			t.Errorf("event %+v: want a live flap (final false) with an id", e)
		}
	}
	var list struct{ Lines []apiLine }
	if err := getJSON(ctx, ctrl, "/api/v1/lines", &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Lines) != 1 || list.Lines[0].Flaps24h != 3 {
		t.Errorf("/api/v1/lines %+v: want L1 with 3 flaps", list.Lines)
	}

	// An outage in progress: a live event at once, open, counted.
	down.Store(true)
	var open event
	lab.WaitFor(t, ctx, 250*time.Millisecond, func() error {
		if err := line(); err != nil {
			return err
		}
		if len(d.Events) != 4 || !d.Events[0].Open {
			return fmt.Errorf("L1 is %q with events %+v, waiting for an open outage", d.State, d.Events)
		}
		open = d.Events[0] // newest first
		return nil
	})
	if open.Kind != "outage" || open.Final || !open.End.IsZero() || open.ID == 0 || d.Outages24h != 1 || d.Flaps24h != 3 {
		t.Fatalf("open outage %+v with %d outages, %d flaps: want an open live outage counted in outages_24h", open, d.Outages24h, d.Flaps24h)
	}
	time.Sleep(2 * time.Second) // down a little longer (the schedule, not a wait for a result)
	down.Store(false)
	lab.WaitFor(t, ctx, 250*time.Millisecond, func() error {
		if err := line(); err != nil {
			return err
		}
		if len(d.Events) == 0 || d.Events[0].Open {
			return fmt.Errorf("events %+v, waiting for the outage to end", d.Events)
		}
		return nil
	})
	if e := d.Events[0]; len(d.Events) != 4 || e.ID != open.ID || e.Kind != "flap" || e.End.IsZero() || e.Final || d.Flaps24h != 4 || d.Outages24h != 0 {
		t.Fatalf("ended: %d flaps, %d outages, events %+v; want event %d a live flap with its end, counted once", d.Flaps24h, d.Outages24h, d.Events, open.ID)
	}
}
