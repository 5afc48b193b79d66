package ingest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/probes/result"
)

// TestProgressInPullOrder: pulls fed out of order (two writers) are
// reported only once every earlier pull was fed, and the point reached
// never goes back for a pull of redeliveries older than what came before.
func TestProgressInPullOrder(t *testing.T) {
	type call struct {
		at       time.Time
		caughtUp bool
	}
	var got []call
	p := &progress{report: func(at time.Time, caughtUp bool) { got = append(got, call{at, caughtUp}) }}
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	a, b, c := p.pulled(), p.pulled(), p.pulled()
	p.done(b, mark{at: at(2)})
	if len(got) != 0 {
		t.Fatalf("pull 1 fed before pull 0 reported %v", got)
	}
	p.done(a, mark{at: at(1)})
	p.done(c, mark{at: at(0), caughtUp: true}) // redeliveries only
	want := []call{{at(2), false}, {at(2), true}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("reports %v, want %v", got, want)
	}
}

// countingSink counts the messages fed to it.
type countingSink struct {
	mu sync.Mutex
	n  int
}

func (s *countingSink) Handle(context.Context, string, []result.Result) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	return nil
}

func (s *countingSink) fed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// TestProgressCoversWhatWasFed runs the ingest with two writers and small
// pulls and checks every Options.Progress report against the stream: every
// message whose stream timestamp is not after the reported arrival had
// been fed when it was reported, an idle consumer reports caught up (also
// before any message), and the last report is caught up at the newest
// message's arrival.
func TestProgressCoversWhatWasFed(t *testing.T) {
	type report struct {
		at       time.Time
		caughtUp bool
		fed      int
	}
	sink := &countingSink{}
	var mu sync.Mutex
	var reports []report
	h := newHarness(t, Options{FetchBatch: 3, Writers: 2, Progress: func(at time.Time, caughtUp bool) {
		mu.Lock()
		defer mu.Unlock()
		reports = append(reports, report{at, caughtUp, sink.fed()})
	}}, sink)
	last := func() (report, int) {
		mu.Lock()
		defer mu.Unlock()
		if len(reports) == 0 {
			return report{}, 0
		}
		return reports[len(reports)-1], len(reports)
	}
	lab.WaitFor(t, h.ctx, 10*time.Millisecond, func() error {
		if r, n := last(); n == 0 || !r.caughtUp {
			return errors.New("no caught-up report from the idle consumer")
		}
		return nil
	})
	const msgs = 40
	for i := range msgs {
		h.publishBatch(pings("agent-1", 1, t0.Add(time.Duration(i)*time.Second-time.Minute)))
	}
	stream, err := h.js.Stream(h.ctx, "VANTAGE_RESULTS")
	if err != nil {
		t.Fatal(err)
	}
	var arrived []time.Time
	for seq := uint64(1); seq <= msgs; seq++ {
		m, err := stream.GetMsg(h.ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		arrived = append(arrived, m.Time)
	}
	lab.WaitFor(t, h.ctx, 10*time.Millisecond, func() error {
		if r, _ := last(); !r.caughtUp || r.at.Before(arrived[msgs-1]) || sink.fed() < msgs {
			return errors.New("not caught up at the last message yet")
		}
		return nil
	})
	mu.Lock()
	defer mu.Unlock()
	for i, r := range reports {
		before := 0
		for _, a := range arrived {
			if !a.After(r.at) {
				before++
			}
		}
		if !r.at.IsZero() && before > r.fed {
			t.Errorf("report %d (%s, caught up %v): %d messages arrived by then, %d fed", i, r.at, r.caughtUp, before, r.fed)
		}
		if i > 0 && r.at.Before(reports[i-1].at) {
			t.Errorf("report %d went back: %s after %s", i, r.at, reports[i-1].at)
		}
	}
}
