package linestate

import (
	"reflect"
	"testing"
	"time"
)

// spooled delivers evs 300 ms after they happened, except those in [from,
// to) seconds: the agent spooled them behind its cut uplink and sends them
// in one burst, in order, the oldest late after it happened.
func spooled(evs []Evidence, from, to float64, late time.Duration) []arrival {
	var as []arrival
	for _, ev := range evs {
		s := ev.Time.Sub(t0).Seconds()
		if s >= from && s < to {
			as = append(as, arrival{ev, at(from).Add(late + time.Duration(s-from)*time.Millisecond)})
			continue
		}
		as = append(as, arrival{ev, ev.Time.Add(300 * time.Millisecond)})
	}
	return as
}

// fastClock delivers evs stamped ahead by skew: the agent's clock runs
// fast, so each result arrives skew before its own timestamp.
func fastClock(evs []Evidence, skew time.Duration) []arrival {
	as := make([]arrival, len(evs))
	for i, ev := range evs {
		arr := ev.Time.Add(100 * time.Millisecond)
		ev.Time = ev.Time.Add(skew)
		as[i] = arrival{ev, arr}
	}
	return as
}

// One agent whose clock runs minutes fast (within the ingest's max_future,
// 5 min) must not shorten the lateness window of any other agent: agent
// B's results, spooled and sent late but within the horizon, are placed
// exactly as if agent A were not there, on B's own line and on a line the
// two share.
func TestFastAgentClockDoesNotShortenOthersHorizon(t *testing.T) {
	const skew = 5 * time.Minute
	cases := []struct {
		name    string
		horizon time.Duration
		late    time.Duration // how late B's oldest spooled result arrives
		shared  bool          // A probes B's line too
	}{
		{"default horizon, B 12 min late", 15 * time.Minute, 12 * time.Minute, false},
		{"3 min horizon, B 2 min late", 3 * time.Minute, 2 * time.Minute, false},
		{"shared line, B 12 min late", 15 * time.Minute, 12 * time.Minute, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// B watches LB from 0 to 1800 s; LB is down [1000, 1090) s and
			// B, behind it, spools from 990 to 1100 s.
			b := spooled(pingStream("LB", "agent-b", 0, 1800, 1, []span{{1000, 1090}}), 990, 1100, c.late)
			aLine := "LA"
			if c.shared {
				aLine = "LB"
			}
			a := fastClock(pingStream(aLine, "agent-a", 0.5, 1800, 1, nil), skew)
			o := Options{Horizon: c.horizon}

			alone := runAll(t, o, sorted(b))
			both := runAll(t, o, sorted(append(append([]arrival(nil), b...), a...)))
			if n := alone.verdict[TooLate]; n != 0 {
				t.Fatalf("without agent A, %d of B's results were too late: the test is wrong", n)
			}
			if n := both.verdict[TooLate]; n != 0 {
				t.Fatalf("agent A's clock %s fast made %d of agent B's results too late (horizon %s, B %s late)",
					skew, n, c.horizon, c.late)
			}
			if c.shared {
				return // A's evidence is on LB too: its events are not B's alone
			}
			if got, want := lineEvents(both.events, "LB"), lineEvents(alone.events, "LB"); !reflect.DeepEqual(got, want) || len(want) != 1 {
				t.Fatalf("LB's events with agent A running fast\n got %s\nwant %s", describe(got), describe(want))
			}
			if got, want := lineTransitions(both.final, "LB"), lineTransitions(alone.final, "LB"); !reflect.DeepEqual(got, want) {
				t.Fatalf("LB's final transitions with agent A running fast\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func sorted(as []arrival) []arrival { sortArrivals(as); return as }

func lineEvents(evs []Event, line string) []Event {
	var out []Event
	for _, e := range evs {
		if e.Line == line {
			out = append(out, e)
		}
	}
	return out
}

func lineTransitions(trs []Transition, line string) []Transition {
	var out []Transition
	for _, tr := range trs {
		if tr.Line == line {
			out = append(out, tr)
		}
	}
	return out
}
