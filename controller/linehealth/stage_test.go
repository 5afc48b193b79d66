package linehealth

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/linestate"
	"github.com/vantage-net/vantage/probes/result"
)

func journalRows(t *testing.T, f *fixture) int {
	t.Helper()
	var n int
	if err := f.db.QueryRow(`SELECT count(*) FROM linestate_journal`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// One commit journals its evidence in one row, not one row per result: at
// 50,000 lines a row per result was 50,000 inserts a second.
func TestJournalOneRowPerCommit(t *testing.T) {
	f := newFixture(t)
	m := f.monitor(t)
	before := journalRows(t, f)
	var rs []result.Result
	for s := range 10 {
		rs = append(rs, ping("L1", f.t0.Add(time.Duration(s)*time.Second), true), ping("L2", f.t0.Add(time.Duration(s)*time.Second), true))
	}
	f.now = f.t0.Add(10 * time.Second)
	if err := m.Handle(context.Background(), "agent-1", rs); err != nil {
		t.Fatal(err)
	}
	if rows, ev := journalRows(t, f)-before, journaled(t, f.db); rows != 1 || ev != 20 {
		t.Errorf("one message of 20 results made %d journal rows holding %d evidence, want 1 row of 20", rows, ev)
	}
}

// Staged messages are not durable until Flush, which commits them all in
// one transaction; until then no snapshot is taken over them.
func TestStagedPullIsOneCommitAtFlush(t *testing.T) {
	f := newFixture(t)
	m := f.monitor(t)
	ctx := context.Background()
	before := journalRows(t, f)
	for s := range 10 {
		at := f.t0.Add(time.Duration(s) * time.Second)
		f.now = at.Add(500 * time.Millisecond)
		if err := m.Stage(ctx, "agent-1", []result.Result{ping("L1", at, true), ping("L2", at, true)}); err != nil {
			t.Fatal(err)
		}
	}
	if n := journaled(t, f.db); n != 0 {
		t.Fatalf("%d evidence journaled before Flush, want 0", n)
	}
	if err := m.snapshot(ctx); err == nil {
		t.Error("a snapshot was taken over staged, uncommitted evidence")
	}
	if err := m.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if rows, ev := journalRows(t, f)-before, journaled(t, f.db); rows != 1 || ev != 20 {
		t.Errorf("10 staged messages made %d journal rows holding %d evidence, want 1 row of 20", rows, ev)
	}
	if err := m.snapshot(ctx); err != nil {
		t.Errorf("snapshot after Flush: %v", err)
	}
}

// A journal written by an older build (one evidence per row) is replayed
// after an upgrade as the new rows are: the flap it holds is stored once.
func TestReplayReadsOneEvidenceRows(t *testing.T) {
	f := newFixture(t)
	m := f.monitor(t)
	ctx := context.Background()
	f.feed(t, m, 0, 5, nil, 0, 0)
	if err := m.snapshot(ctx); err != nil {
		t.Fatal(err)
	}
	// Seconds 5–29 with a flap of L1 at 10–13, journaled as an older
	// build did, by a controller killed before its next snapshot.
	for s := 5; s < 30; s++ {
		at := f.t0.Add(time.Duration(s) * time.Second)
		for _, l := range []string{"L1", "L2", "L9"} {
			r := ping(l, at, !(l == "L1" && s >= 10 && s < 14))
			ev, ok := linestate.FromResult("agent-1", &r)
			if !ok {
				t.Fatal("ping is no evidence")
			}
			b, err := json.Marshal(&ev)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.db.Exec(`INSERT INTO linestate_journal (evidence) VALUES (?)`, string(b)); err != nil {
				t.Fatal(err)
			}
		}
	}
	m2 := f.monitor(t)
	f.feed(t, m2, 30, 40, nil, 0, 0)
	if n := countEvents(t, f, "L1"); n != 1 {
		t.Errorf("%d L1 events after replaying one-evidence rows, want the one flap", n)
	}
}
