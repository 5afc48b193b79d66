package complaints

import (
	"context"
	"fmt"
	"math/rand"
	"reflect"
	"testing"
	"time"
)

// repeatsBefore is Repeats as it was before it read only the keys with
// RepeatCount complaints: every key's complaints in the window, grouped
// in Go. TestRepeatsSameAsBefore holds the faster query to its answers.
func repeatsBefore(ctx context.Context, s *Store, sees func(string) bool, limit int) ([]Repeat, error) {
	now := s.o.Now()
	rows, err := s.db.QueryContext(ctx, `SELECT k.kind, k.key, c.id, c.received_at, c.category, c.verdict, c.linked_customer
		FROM complaint_keys k JOIN complaints c ON c.id = k.complaint_id
		WHERE k.received_at > ? AND k.received_at <= ?
		ORDER BY k.kind, k.key, k.received_at DESC, c.id`, now.Add(-s.o.RepeatWindow).UnixMilli(), now.UnixMilli())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Repeat
	var cur *Repeat
	flush := func() {
		if cur != nil && cur.Count >= s.o.RepeatCount {
			out = append(out, *cur)
		}
		cur = nil
	}
	for rows.Next() {
		var k key
		var e RepeatEntry
		var t int64
		var cat, verdict string
		if err := rows.Scan(&k.kind, &k.key, &e.ID, &t, &cat, &verdict, &e.Customer); err != nil {
			return nil, err
		}
		if !sees(e.Customer) {
			continue
		}
		e.ReceivedAt, e.Category, e.Verdict = fromMS(t), Category(cat), Verdict(verdict)
		if cur == nil || cur.Kind != k.kind || cur.Key != k.key {
			flush()
			cur = &Repeat{Kind: k.kind, Key: k.key, Last: e.ReceivedAt}
		}
		cur.Count++
		cur.First = e.ReceivedAt
		cur.History = append(cur.History, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	flush()
	sortRepeats(out)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// TestRepeatsSameAsBefore seeds 600 complaints over 45 days (customers
// c1–c3 and customer ids the inventory lacks, lines, a dozen cells) and
// keys with 2, 3 and 4 complaints, one straddling the window's edge, and
// checks that Repeats answers exactly what reading every key did, for
// everyone and for an account manager's scope (c1, c3), whole and cut.
func TestRepeatsSameAsBefore(t *testing.T) {
	db := openDB(t)
	seed(t, db)
	clk := &clock{t: t0.Add(45 * 24 * time.Hour)}
	s := newStore(t, db, clk)
	rng := rand.New(rand.NewSource(7))
	var ins []Intake
	for i := range 600 {
		in := Intake{ID: fmt.Sprintf("r%04d", i), ReceivedAt: t0.Add(time.Duration(rng.Int63n(int64(45 * 24 * time.Hour)))),
			Category: Categories[rng.Intn(len(Categories))]}
		switch rng.Intn(4) {
		case 0:
			in.CustomerID = []string{"c1", "c2", "c3"}[rng.Intn(3)]
		case 1:
			in.CustomerID = fmt.Sprintf("u%03d", rng.Intn(150)) // not in the inventory: one or two each
		case 2:
			in.CircuitID = []string{"L1", "L2", "L3"}[rng.Intn(3)]
		default:
			lat, lon := 31.2+float64(rng.Intn(12))*0.01, 121.4
			in.Lat, in.Lon = &lat, &lon
		}
		ins = append(ins, in)
	}
	// Keys at the threshold: cells with exactly 2, 3 and 4 complaints in
	// the window, and one with 3 of which one is just outside it.
	cell := func(id string, lat float64, ago time.Duration) Intake {
		lon := 120.0
		return Intake{ID: id, ReceivedAt: clk.t.Add(-ago), Lat: &lat, Lon: &lon, Category: Slow}
	}
	for n, lat := range map[int]float64{2: 30.0, 3: 30.1, 4: 30.2} {
		for k := range n {
			ins = append(ins, cell(fmt.Sprintf("g%d-%d", n, k), lat, time.Duration(k+1)*24*time.Hour))
		}
	}
	for k, d := range []time.Duration{time.Hour, 24 * time.Hour, 30*24*time.Hour + time.Hour} {
		ins = append(ins, cell(fmt.Sprintf("e3-%d", k), 30.3, d))
	}
	put(t, s, ins...)
	ctx := context.Background()
	scopes := map[string]func(string) bool{
		"all": func(string) bool { return true },
		"am1": func(c string) bool { return c == "c1" || c == "c3" },
	}
	for name, sees := range scopes {
		for _, limit := range []int{0, 3} {
			want, err := repeatsBefore(ctx, s, sees, limit)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Repeats(ctx, sees, limit)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 {
				t.Fatalf("%s: the scenario has no repeats", name)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s, limit %d: %d repeats, want the %d listed before:\ngot  %+v\nwant %+v", name, limit, len(got), len(want), got, want)
			}
		}
	}
}

// TestListSameAsGetWithoutEvidence: every complaint a list page shows
// (read without its evidence column) is exactly what Get shows, less
// the evidence, on a seeded set where most complaints have evidence.
func TestListSameAsGetWithoutEvidence(t *testing.T) {
	if listColumns == complaintColumns {
		t.Fatal("listColumns still read the evidence")
	}
	db := openDB(t)
	seed(t, db)
	clk := &clock{t: t0.Add(2 * 24 * time.Hour)}
	s := newStore(t, db, clk)
	var ins []Intake
	for i := range 40 {
		in := Intake{ID: fmt.Sprintf("v%02d", i), ReceivedAt: t0.Add(time.Duration(i-20) * 30 * time.Minute), Category: LineInterruption}
		switch i % 3 {
		case 0:
			in.CircuitID = "L1"
		case 1:
			in.CustomerID = "c2"
		default:
			lat, lon := 31.23, 121.47
			in.Lat, in.Lon = &lat, &lon
		}
		ins = append(ins, in)
	}
	put(t, s, ins...)
	list, _, err := s.List(context.Background(), Filter{AllCustomers: true}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	withEvidence := 0
	for _, c := range list {
		full, err := s.Get(context.Background(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(full.Evidence) > 0 {
			withEvidence++
		}
		full.Evidence = nil
		if !reflect.DeepEqual(c, full) {
			t.Errorf("listed %+v\nGet     %+v", c, full)
		}
	}
	if len(list) != 40 || withEvidence == 0 {
		t.Fatalf("%d listed, %d with evidence: the scenario needs 40, some with evidence", len(list), withEvidence)
	}
}
