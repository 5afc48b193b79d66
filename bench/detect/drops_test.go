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

// TestDropScoreStartAndEndError: the start and end errors are stored minus
// true, and within counts the share at or under a limit.
func TestDropScoreStartAndEndError(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 4, 0, 0, 0, time.UTC)
	a := line{id: "A", interval: time.Second}
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	r := &dropRun{
		groups:   []dropGroup{{length: time.Second, lines: []line{a}}},
		drops:    [][]window{{{ln: a, down: at(10), up: at(11)}, {ln: a, down: at(30), up: at(31)}}},
		detected: map[string][]event{"A": {{Kind: "flap", Start: at(10.6), End: at(11.1), DurationS: 0.5}, {Kind: "flap", Start: at(30.1), End: at(31.1), DurationS: 1}}},
	}
	sc := r.score(0)
	if len(sc.startErr) != 2 || abs(sc.startErr[0]-0.6) > 1e-9 || abs(sc.startErr[1]-0.1) > 1e-9 || abs(sc.endErr[0]-0.1) > 1e-9 {
		t.Fatalf("start errors %v, end errors %v: want [0.6 0.1], [0.1 …]", sc.startErr, sc.endErr)
	}
	if w := within(sc.durErr, 0.3); abs(w-0.5) > 1e-9 {
		t.Fatalf("within 0.3 s: %v of %v, want 0.5", w, sc.durErr)
	}
}

// TestDropSummaryForBenchmarks: the drops part's summary is valid for
// bench/benchdoc and carries recall against plain probing's.
func TestDropSummaryForBenchmarks(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 4, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	p, c := line{id: "P", interval: time.Second}, line{id: "C", interval: time.Second, confirm: true}
	r := &dropRun{
		groups: []dropGroup{{length: time.Second, lines: []line{p}}, {length: time.Second, confirm: true, lines: []line{c}}},
		drops: [][]window{{{ln: p, down: at(10), up: at(11)}, {ln: p, down: at(30), up: at(31)}},
			{{ln: c, down: at(10), up: at(11)}, {ln: c, down: at(30), up: at(31)}}},
		detected: map[string][]event{"P": {{Kind: "flap", Start: at(10), End: at(11), DurationS: 1}},
			"C": {{Kind: "flap", Start: at(10.5), End: at(11.1), DurationS: 0.6}, {Kind: "flap", Start: at(30.1), End: at(31.1), DurationS: 1}}},
	}
	sums := summaries(plan{}, 3, results{drops: r})
	if len(sums) != 1 || sums[0].Bench != "detect-drops" {
		t.Fatalf("summaries %+v", sums)
	}
	if err := sums[0].Validate(); err != nil {
		t.Fatal(err)
	}
	var recall *float64
	for _, f := range sums[0].Figures {
		if f.Name == "1s drops, confirm: counted once (2/2)" {
			recall = f.RefValue
			if f.Value != 1 {
				t.Errorf("confirm recall %v, want 1", f.Value)
			}
		}
	}
	if recall == nil || *recall != 0.5 {
		t.Fatalf("confirm recall's reference %v, want plain's 0.5: %+v", recall, sums[0].Figures)
	}
}

// TestLossAndTrafficSummaries: the loss and traffic parts' summaries are
// valid for bench/benchdoc; confirming traffic is judged against plain
// traffic of the same phase.
func TestLossAndTrafficSummaries(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 4, 0, 0, 0, time.UTC)
	r := &lossRun{modes: []bool{false, true}, lines: [][]line{{{id: "P"}}, {{id: "C"}}}, pct: 1,
		start: t0, end: t0.Add(10 * time.Minute), seenTo: 1000, lostTo: 9, seenFrom: 1000, lostFrom: 11,
		flaps: []int{0, 0}, outages: []int{0, 1}, incidents: []int{0, 0},
		traffic: map[string][]count{"healthy": {{packets: 90, d: 30 * time.Second}, {packets: 93, d: 30 * time.Second}}}}
	sums := summaries(plan{}, 3, results{loss: r})
	if len(sums) != 2 || sums[0].Bench != "detect-loss" || sums[1].Bench != "detect-traffic" {
		t.Fatalf("summaries %+v", sums)
	}
	for _, s := range sums {
		if err := s.Validate(); err != nil {
			t.Fatalf("%s: %v", s.Bench, err)
		}
	}
	if f := sums[0].Figures[3]; f.Value != 1 {
		t.Errorf("confirm's loss events %v, want the 1 outage", f.Value)
	}
	if f := sums[1].Figures[1]; f.RefValue == nil || *f.RefValue != 3 || f.Value != 3.1 {
		t.Errorf("confirm's healthy traffic %+v, want 3.1 against plain's 3", f)
	}
}
