package complaints

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// Three complaints from one compound's cell within 30 days make the third a
// repeat; a fourth 40 days later starts over. A complaint imported late
// into the past makes the one after it a repeat. Repeats are listed by
// count, then recency, with their history, and the cell counts add up.
func TestRepeatsPerCellAndCustomer(t *testing.T) {
	db := openDB(t)
	seed(t, db)
	clk := &clock{t: t0.Add(12 * 24 * time.Hour)}
	s := newStore(t, db, clk)
	at := func(days float64) time.Time { return t0.Add(time.Duration(days * 24 * float64(time.Hour))) }
	compound := func(id string, days float64) Intake {
		return Intake{ID: id, ReceivedAt: at(days), Lat: fptr(31.24), Lon: fptr(121.48), Category: WeakSignal}
	}
	put(t, s, compound("w1", 0), compound("w2", 5))
	if get(t, s, "w2").Repeat {
		t.Fatal("the second complaint is a repeat")
	}
	put(t, s, compound("w3", 10))
	if !get(t, s, "w3").Repeat || get(t, s, "w1").Repeat || get(t, s, "w2").Repeat {
		t.Fatalf("repeat flags w1 %v w2 %v w3 %v, want only w3", get(t, s, "w1").Repeat, get(t, s, "w2").Repeat, get(t, s, "w3").Repeat)
	}
	put(t, s, compound("w4", 50))
	if get(t, s, "w4").Repeat {
		t.Error("w4, 40 days after the last, is a repeat")
	}
	// c1 complains twice by customer id; a third, older, arrives late.
	put(t, s, Intake{ID: "k1", ReceivedAt: at(2), CustomerID: "c1", Category: Slow},
		Intake{ID: "k3", ReceivedAt: at(9), CustomerID: "c1", Category: Slow})
	if get(t, s, "k3").Repeat {
		t.Fatal("k3 is a repeat with two complaints")
	}
	put(t, s, Intake{ID: "k2", ReceivedAt: at(4), CustomerID: "c1", Category: Slow})
	if !get(t, s, "k3").Repeat || get(t, s, "k2").Repeat {
		t.Errorf("after the late k2: k2 %v k3 %v, want k3 only", get(t, s, "k2").Repeat, get(t, s, "k3").Repeat)
	}

	reps, err := s.Repeats(context.Background(), func(string) bool { return true }, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range reps {
		got = append(got, r.Kind+":"+r.Key)
	}
	cell := Geohash(31.24, 121.48, 7)
	// c1's three complaints count against c1, their line L1 and the cell
	// of its site s1: three each, so the latest complaint decides the order
	// (the compound's w3 at day 10, then c1's k3 at day 9).
	want := []string{"cell:" + cell, "cell:" + Geohash(31.23, 121.47, 7), "customer:c1", "line:L1"}
	if !slices.Equal(got, want) {
		t.Fatalf("repeats %v, want %v", got, want)
	}
	if r := reps[0]; r.Count != 3 || len(r.History) != 3 || r.History[0].ID != "w3" || !r.First.Equal(at(0)) {
		t.Errorf("cell repeat %+v", r)
	}
	only := func(c string) bool { return c == "c1" }
	reps, _ = s.Repeats(context.Background(), only, 0)
	if len(reps) != 3 || reps[0].Kind+":"+reps[0].Key != want[1] {
		t.Errorf("an account manager of c1 sees %+v, want c1's, L1's and s1's cell", reps)
	}

	cells, err := CellCounts(context.Background(), db, at(0), at(60), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(cells) == 0 || cells[0].Cell != cell || cells[0].Complaints != 4 || cells[0].Repeats != 1 || cells[0].WeakSignal != 4 {
		t.Fatalf("cells %+v, want %s first with 4 complaints, 1 repeat, 4 weak signal", cells, cell)
	}
	coarse, _ := CellCounts(context.Background(), db, at(0), at(60), 5)
	if coarse[0].Cell != cell[:5] || coarse[0].Complaints < 4 {
		t.Errorf("coarse cells %+v", coarse)
	}
}

// A re-import updates and never duplicates: same fields unchanged, new
// fields updated, and a later complaint of the same id in one batch wins.
func TestPutIdempotentOnID(t *testing.T) {
	db := openDB(t)
	seed(t, db)
	s := newStore(t, db, &clock{t: t0.Add(time.Hour)})
	a := Intake{ID: "A", ReceivedAt: t0, CustomerID: "c1", Category: Slow, Text: "slow"}
	if sum := put(t, s, a); sum != (Summary{Created: 1}) {
		t.Fatalf("first put %+v", sum)
	}
	if sum := put(t, s, a); sum != (Summary{Unchanged: 1}) {
		t.Fatalf("same again %+v", sum)
	}
	b := a
	b.Text = "very slow"
	c := b
	c.Category = NoService
	if sum := put(t, s, b, c); sum != (Summary{Updated: 2}) {
		t.Fatalf("two updates %+v", sum)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM complaints`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d rows, %v", n, err)
	}
	if got := get(t, s, "A"); got.Category != NoService || got.Text != "very slow" {
		t.Errorf("A is %+v", got.Intake)
	}
}

// A repeat complaint corrected to name nothing the inventory knows (no
// customer, line or cell left to count against) is no repeat any more:
// the flag was left set, since only complaints still holding a key were
// recounted.
func TestRepeatCorrectedToNothingIsNoRepeat(t *testing.T) {
	db := openDB(t)
	seed(t, db)
	s := newStore(t, db, &clock{t: t0.Add(10 * 24 * time.Hour)})
	for i, d := range []time.Duration{0, 24 * time.Hour, 48 * time.Hour} {
		put(t, s, Intake{ID: fmt.Sprint("r", i), ReceivedAt: t0.Add(d), CustomerID: "c1", Category: Slow})
	}
	if !get(t, s, "r2").Repeat {
		t.Fatal("the third complaint of c1 in three days is no repeat")
	}
	put(t, s, Intake{ID: "r2", ReceivedAt: t0.Add(48 * time.Hour), CustomerID: "typo", Category: Slow})
	if c := get(t, s, "r2"); c.Repeat || c.LinkedCustomer != "" {
		t.Errorf("r2 corrected to an unknown customer: linked %q, repeat %v; want no link, no repeat", c.LinkedCustomer, c.Repeat)
	}
}
