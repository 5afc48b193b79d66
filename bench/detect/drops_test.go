package main

import (
	"testing"
	"time"
)

// TestDropScoreCountsEachDropOnce: a drop matched by one stored flap is
// recalled, by two it is not (counted twice), a flap far from every drop
// is extra, and the duration error is stored minus true.
func TestDropScoreCountsEachDropOnce(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 4, 0, 0, 0, time.UTC)
	a := line{id: "A", interval: time.Second}
	b := line{id: "B", interval: time.Second}
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	flap := func(start, d float64) event {
		return event{Kind: "flap", Start: at(start), End: at(start + d), DurationS: d}
	}
	r := &dropRun{
		groups: []dropGroup{{length: time.Second, lines: []line{a, b}}},
		drops: [][]window{{
			{ln: a, down: at(10), up: at(11)}, // one flap: recalled, 0.8 s stored
			{ln: a, down: at(30), up: at(31)}, // nothing stored: missed
			{ln: b, down: at(10), up: at(11)}, // two flaps: counted twice
		}},
		detected: map[string][]event{
			"A": {flap(10.5, 0.8), flap(50, 1)}, // the second matches no drop
			"B": {flap(10.2, 0.3), flap(10.7, 0.4)},
		},
	}
	sc := r.score(0)
	if sc.truth != 3 || sc.recalled != 1 || sc.twice != 1 || sc.extra != 1 || sc.outages != 0 {
		t.Fatalf("score %+v: want 3 drops, 1 recalled, 1 twice, 1 extra", sc)
	}
	if len(sc.durErr) != 1 || abs(sc.durErr[0]-0.2) > 1e-9 || abs(sc.bias+0.2) > 1e-9 {
		t.Fatalf("duration error %v, bias %v: want 0.2 and -0.2", sc.durErr, sc.bias)
	}
}
