package linehealth

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/vantage-net/vantage/probes/result"
)

// Issue 16: a snapshot encodes and writes the detector's state outside the
// Monitor's locks, so results are committed while it is written. Each of
// them must be in the snapshot or in a journal row after its seq: a
// restart (restore + replay) then has the detector the running Monitor
// has, and stores no event twice.
func TestCommitsDuringSnapshotSurviveRestart(t *testing.T) {
	f := newFixture(t)
	m := f.monitor(t)
	ctx := context.Background()
	feed := func(from, to int, downFrom, downTo int) { // L1 and L2 (f.feed adds L9, which a restart drops)
		for s := from; s < to; s++ {
			at := f.t0.Add(time.Duration(s) * time.Second)
			f.now = at.Add(500 * time.Millisecond)
			rs := []result.Result{ping("L1", at, s < downFrom || s >= downTo), ping("L2", at, true)}
			if err := m.Handle(ctx, "agent-1", rs); err != nil {
				t.Fatal(err)
			}
			if err := m.tick(ctx, f.now); err != nil {
				t.Fatal(err)
			}
		}
	}
	feed(0, 10, 0, 0)
	during := 0
	m.afterView = func() { // the ingest goes on while the snapshot is encoded and written
		feed(10, 25, 12, 20)
		during++
	}
	if err := m.snapshot(ctx); err != nil {
		t.Fatal(err)
	}
	m.afterView = nil
	if during != 1 {
		t.Fatalf("results were fed during %d snapshots, want 1", during)
	}
	feed(25, 40, 0, 0)
	want, err := m.det.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	events := countEvents(t, f, "L1")
	if events == 0 {
		t.Fatal("L1's outage during the snapshot produced no event; the test proves nothing")
	}

	// A crash now: the next process restores the snapshot and replays the journal.
	m2, err := New(ctx, f.opts, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := m2.tick(ctx, f.now); err != nil { // commits the replay's outputs; the clock where m's is
		t.Fatal(err)
	}
	got, err := m2.det.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("after restore and replay the detector differs from the one that ran on")
	}
	if n := countEvents(t, f, "L1"); n != events {
		t.Errorf("L1 has %d events after the restart, %d before", n, events)
	}
}
