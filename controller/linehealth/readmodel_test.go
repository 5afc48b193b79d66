package linehealth

import (
	"context"
	"math"
	"strings"
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

// Paging merges lines the inventory no longer has (line_states rows only)
// into the inventory's, in id order, whatever the page size: the orphan
// scan is bounded by the page's last inventory line, never cut short.
func TestLinesPagesMergeOrphans(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, id := range []string{"A0", "L15", "L5", "ZZ"} { // before, between and after the inventory's lines
		if _, err := f.db.Exec(`INSERT INTO line_states (circuit_id, state, updated_at) VALUES (?, 'up', 0)`, id); err != nil {
			t.Fatal(err)
		}
	}
	all, more, err := f.reads(t).Lines(ctx, AllCustomers, "", 1000)
	if err != nil || more {
		t.Fatalf("one page of all: %v, more %v", err, more)
	}
	var want []string
	for _, v := range all {
		want = append(want, v.ID)
	}
	for i := 1; i < len(want); i++ {
		if want[i-1] >= want[i] {
			t.Fatalf("not in id order: %v", want)
		}
	}
	if len(want) != 6 {
		t.Fatalf("%v: want the inventory's 2 lines and the 4 orphans", want)
	}
	for _, limit := range []int{1, 2, 3} {
		var got []string
		after := ""
		for range 100 {
			page, more, err := f.reads(t).Lines(ctx, AllCustomers, after, limit)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range page {
				got = append(got, v.ID)
			}
			if !more {
				break
			}
			after = page[len(page)-1].ID
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("pages of %d: %v, want %v", limit, got, want)
		}
	}
}
