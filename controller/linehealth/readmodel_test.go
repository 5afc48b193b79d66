package linehealth

import (
	"context"
	"math"
	"testing"
	"time"
)

// The API's read model answers from what detection committed, not from the
// detector: while the Monitor holds its lock (a long Handle, say) a read
// still answers, with the provisional down the last commit stored, and a
// read model over the database alone, no Monitor running, shows the same
// states and penalties the detector has.
func TestReadModelAnswersFromCommits(t *testing.T) {
	f := newFixture(t)
	m := f.monitor(t)
	ctx := context.Background()
	f.feed(t, m, 0, 12, map[string]bool{"L1": true}, 10, 100) // L1 fails from 10 s on

	m.mu.Lock() // the detector is busy
	type answer struct {
		views []LineView
		err   error
	}
	got := make(chan answer, 1)
	go func() {
		views, _, err := f.reads(t).Lines(ctx, AllCustomers, "", 10)
		got <- answer{views, err}
	}()
	var a answer
	select {
	case a = <-got:
	case <-time.After(10 * time.Second): // a hang guard, not a timing
		m.mu.Unlock()
		t.Fatal("the read model waits for the detector's lock")
	}
	m.mu.Unlock()
	if a.err != nil {
		t.Fatal(a.err)
	}
	states := map[string]LineView{}
	for _, v := range a.views {
		states[v.ID] = v
	}
	if v := states["L1"]; v.State != "down" || !v.Since.Equal(f.t0.Add(10*time.Second)) {
		t.Errorf("L1 %+v, want down since 10 s", v)
	}
	if v := states["L2"]; v.State != "up" {
		t.Errorf("L2 %+v, want up", v)
	}

	// L1 recovers; the flap is sealed and charges its penalty.
	f.feed(t, m, 12, 30, map[string]bool{"L1": true}, 10, 15)
	f.now = f.now.Add(10 * time.Second)
	if err := m.tick(ctx, f.now); err != nil {
		t.Fatal(err)
	}
	st, _ := m.det.State("L1")
	if st.Penalty == 0 {
		t.Fatal("no penalty after the flap")
	}
	d, err := f.reads(t).Line(ctx, AllCustomers, "L1")
	if err != nil {
		t.Fatal(err)
	}
	if d.State != st.State.String() || math.Abs(d.Penalty-st.Penalty) > 1e-6*st.Penalty {
		t.Errorf("read model L1 %s penalty %v; detector %s penalty %v", d.State, d.Penalty, st.State, st.Penalty)
	}
	var rows int
	if err := f.db.QueryRow(`SELECT count(*) FROM line_states`).Scan(&rows); err != nil || rows != 3 {
		t.Errorf("%d line_states rows (%v), want L1, L2 and L9", rows, err)
	}
}
