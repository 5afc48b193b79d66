package linehealth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/linestate"
	"github.com/vantage-net/vantage/probes/result"
)

// Two PoPs, one per partition: p0 holds pop-a's lines (A1 diamond, A2),
// p1 pop-b's (B1).
const partitionInventory = `customers:
  - {id: C1, name: One, tier: diamond}
  - {id: C2, name: Two, tier: silver}
elements:
  - {id: pop-a, kind: pop, name: PoP A, agent: agent-1}
  - {id: card-a, parent: pop-a, kind: card, name: Card A}
  - {id: pa1, parent: card-a, kind: port, name: PA1}
  - {id: pa2, parent: card-a, kind: port, name: PA2}
  - {id: pop-b, kind: pop, name: PoP B, agent: agent-1}
  - {id: pb1, parent: pop-b, kind: port, name: PB1}
lines:
  - {circuit_id: A1, customer: C1, upstream_element: pa1}
  - {circuit_id: A2, customer: C2, upstream_element: pa2}
  - {circuit_id: B1, customer: C2, upstream_element: pb1}
`

func (f *fixture) partitionMonitor(t *testing.T, name, owner string) (*Monitor, error) {
	t.Helper()
	o := f.opts
	o.Partition = &Partition{Name: name, Owner: owner, Owns: func(line string) bool {
		return (name == "p0") == strings.HasPrefix(line, "A")
	}}
	return New(context.Background(), o, nil, nil)
}

// second hands m one second s of pings of lines, those in down failing.
func (f *fixture) partSecond(t *testing.T, m *Monitor, s int, lines []string, down map[string]bool) error {
	t.Helper()
	at := f.t0.Add(time.Duration(s) * time.Second)
	var rs []result.Result
	for _, l := range lines {
		rs = append(rs, ping(l, at, !down[l]))
	}
	f.now = at.Add(500 * time.Millisecond)
	if err := m.Handle(context.Background(), "agent-1", rs); err != nil {
		return err
	}
	return m.tick(context.Background(), f.now)
}

func (f *fixture) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := f.db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestPartitionMonitorsShareOneDatabase: two partitions' Monitors on one
// database keep to their own lines (journal rows, snapshot row, the
// line_states a restore rewrites, open incidents), and a new owner of a
// partition (a second Monitor of p0) fences the old one: after it took
// the partition, nothing the old one commits or snapshots is stored, and
// the new owner continues from the old one's snapshot and journal, the
// open incident keeping its ID when it closes. Runs on SQLite and
// PostgreSQL (storetest).
func TestPartitionMonitorsShareOneDatabase(t *testing.T) {
	f := newFixtureWith(t, partitionInventory)
	ctx := context.Background()
	old, err := f.partitionMonitor(t, "p0", "ctl-a")
	if err != nil {
		t.Fatal(err)
	}
	pb, err := f.partitionMonitor(t, "p1", "ctl-b")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(old.lines); n != 2 {
		t.Errorf("p0 caches %d lines, want its 2", n)
	}
	a := []string{"A1", "A2"}
	for s := 0; s < 10; s++ {
		if err := f.partSecond(t, old, s, a, nil); err != nil {
			t.Fatal(err)
		}
		if err := f.partSecond(t, pb, s, []string{"B1"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := old.snapshot(ctx); err != nil {
		t.Fatal(err)
	}
	// pop-a's card fails: one incident, opened by p0, with a journal after
	// the snapshot.
	down := map[string]bool{"A1": true, "A2": true}
	for s := 10; s < 14; s++ {
		if err := f.partSecond(t, old, s, a, down); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.count(t, `SELECT count(*) FROM incidents WHERE ended_at IS NULL`); n != 1 {
		t.Fatalf("%d open incidents, want 1", n)
	}
	var id int64
	if err := f.db.QueryRow(`SELECT id FROM incidents`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if n := f.count(t, `SELECT count(*) FROM linestate_journal WHERE part = 'p0'`); n == 0 {
		t.Fatal("no journal rows of p0 after its snapshot")
	}
	if n := f.count(t, `SELECT count(*) FROM linestate_journal WHERE part <> 'p0' AND part <> 'p1'`); n != 0 {
		t.Errorf("%d journal rows of no partition", n)
	}
	if n := f.count(t, `SELECT count(*) FROM detector_snapshots WHERE name = 'linestate.p0'`); n != 1 {
		t.Errorf("p0's snapshot row: %d", n)
	}

	// p1 restarts (a restore rewrites its line_states): p0's rows stay, and
	// p1 restores no p0 incident.
	pb2, err := f.partitionMonitor(t, "p1", "ctl-b")
	if err != nil {
		t.Fatal(err)
	}
	if n := f.count(t, `SELECT count(*) FROM line_states WHERE circuit_id IN ('A1', 'A2')`); n != 2 {
		t.Errorf("p1's restore left %d of p0's 2 line_states rows", n)
	}
	if n := len(pb2.grp.Open()); n != 0 {
		t.Errorf("p1 restored %d incidents of p0", n)
	}

	// A new owner takes p0 while the old one still runs (a paused
	// controller whose lease expired).
	nw, err := f.partitionMonitor(t, "p0", "ctl-c")
	if err != nil {
		t.Fatal(err)
	}
	if open := nw.grp.Open(); len(open) != 1 || open[0].ID != id {
		t.Fatalf("new owner restored incidents %+v, want #%d", open, id)
	}
	if st, ok := nw.det.State("A1"); !ok || st.State != linestate.Down {
		t.Fatalf("new owner's A1: %+v %v, want down (snapshot and journal replayed)", st, ok)
	}
	events := f.count(t, `SELECT count(*) FROM line_events`)
	journal := f.count(t, `SELECT count(*) FROM linestate_journal`)
	// The old owner sees its lines come back; none of it is stored.
	if err := f.partSecond(t, old, 14, a, nil); !errors.Is(err, ErrFenced) {
		t.Fatalf("old owner's commit after the takeover: %v, want ErrFenced", err)
	}
	if err := old.snapshot(ctx); !errors.Is(err, ErrFenced) {
		t.Fatalf("old owner's snapshot after the takeover: %v, want ErrFenced", err)
	}
	if !old.Fenced() || nw.Fenced() {
		t.Errorf("fenced: old %v, new %v", old.Fenced(), nw.Fenced())
	}
	if e, j := f.count(t, `SELECT count(*) FROM line_events`), f.count(t, `SELECT count(*) FROM linestate_journal`); e != events || j != journal {
		t.Errorf("the fenced owner stored: events %d→%d, journal rows %d→%d", events, e, journal, j)
	}
	if n := f.count(t, `SELECT count(*) FROM incidents WHERE ended_at IS NOT NULL`); n != 0 {
		t.Errorf("the fenced owner closed the incident")
	}
	// The new owner takes the same seconds (redelivered: never acked by
	// the old one) and closes the incident under its ID.
	for s := 14; s < 30; s++ {
		if err := f.partSecond(t, nw, s, a, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.count(t, `SELECT count(*) FROM incidents`); n != 1 {
		t.Errorf("%d incidents after the handover, want the one", n)
	}
	if n := f.count(t, `SELECT count(*) FROM incidents WHERE id = ? AND ended_at IS NOT NULL`, id); n != 1 {
		t.Errorf("incident #%d not closed by the new owner", id)
	}
	if n := f.count(t, `SELECT count(*) FROM line_events WHERE circuit_id = 'A1' AND retracted_at IS NULL`); n != 1 {
		t.Errorf("A1 has %d events, want its one flap", n)
	}
	if err := nw.snapshot(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestPartitionProfileByTier: a partition's Monitor gives a line the
// detector profile named like its customer's tier, as one controller does
// (A1 is diamond: one failed round is down; A2 silver needs two).
func TestPartitionProfileByTier(t *testing.T) {
	f := newFixtureWith(t, partitionInventory)
	p := f.opts.Detector.Default
	p.FailRounds, p.MinFlapRounds = 1, 1
	f.opts.Detector.Profiles = map[string]linestate.Params{"diamond": p}
	m, err := f.partitionMonitor(t, "p0", "ctl-a")
	if err != nil {
		t.Fatal(err)
	}
	for s := 0; s < 5; s++ {
		if err := f.partSecond(t, m, s, []string{"A1", "A2"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.partSecond(t, m, 5, []string{"A1", "A2"}, map[string]bool{"A1": true, "A2": true}); err != nil {
		t.Fatal(err)
	}
	a1, _ := m.det.State("A1")
	a2, _ := m.det.State("A2")
	if a1.State != linestate.Down || a2.State != linestate.Up {
		t.Errorf("after one failed round: A1 (diamond) %v, A2 (silver) %v; want down, up", a1.State, a2.State)
	}
}

// TestIncidentPagesAboveInt32: on PostgreSQL incident IDs come from blocks
// of 2^32 (one per controller start, one per partition start in cluster
// mode), so the next page's cursor is above 2^31; the page query must
// bind it as a 64-bit integer (`? = 0` made PostgreSQL take it as int4:
// every second page of GET /api/v1/incidents failed).
func TestIncidentPagesAboveInt32(t *testing.T) {
	f := newFixtureWith(t, partitionInventory)
	m, err := f.partitionMonitor(t, "p0", "ctl-a")
	if err != nil {
		t.Fatal(err)
	}
	for s := 0; s < 20; s++ {
		down := map[string]bool{"A1": s >= 5 && s < 8 || s >= 12 && s < 15}
		if err := f.partSecond(t, m, s, []string{"A1"}, down); err != nil {
			t.Fatal(err)
		}
	}
	first, more, err := f.reads(t).Incidents(context.Background(), AllCustomers, "", 0, 1)
	if err != nil || len(first) != 1 || !more {
		t.Fatalf("first page: %+v, more %v, %v", first, more, err)
	}
	second, _, err := f.reads(t).Incidents(context.Background(), AllCustomers, "", first[0].ID, 1)
	if err != nil || len(second) != 1 || second[0].ID >= first[0].ID {
		t.Fatalf("second page after #%d: %+v, %v", first[0].ID, second, err)
	}
}
