package ingest

import (
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/probes/result"
)

// An agent's batch mixing its own pings with controller-owned points
// (line_state, agent), an impossible loss and a timestamp from the year
// 2000: only the pings are written; each other result is dead-lettered
// with its reason and the field named, and counted.
func TestAgentCannotWriteControllerPointsOrImpossibleValues(t *testing.T) {
	h := newHarness(t, Options{MaxAge: 7 * 24 * time.Hour})
	b := pings("cpe-rogue", 6, t0.Add(-time.Minute))
	b.Results[1] = result.Result{Time: t0.Add(-time.Minute), Measurement: "line_state",
		Tags: map[string]string{"line": "L-DIAMOND", "customer": "C2"}, Fields: map[string]float64{"up": 0}}
	b.Results[2] = result.Result{Time: t0.Add(-time.Minute), Measurement: "agent",
		Tags: map[string]string{"site": "S-OTHER"}, Fields: map[string]float64{"up": 1}, Text: map[string]string{"version": "forged"}}
	b.Results[3].Fields["loss_pct"] = -5
	b.Results[4].Time = time.Date(2000, 1, 2, 0, 0, 0, 0, time.UTC)
	h.publishBatch(b)

	h.waitCounter("forbidden", h.in.m.rejected.WithLabelValues("forbidden_measurement"), 2)
	h.waitCounter("out of range", h.in.m.rejected.WithLabelValues("out_of_range"), 1)
	h.waitCounter("too old", h.in.m.rejected.WithLabelValues("too_old"), 1)
	h.waitCounter("ping.loss_pct", h.in.m.outOfRange.WithLabelValues("ping.loss_pct"), 1)
	h.waitCount("ping", 2)
	h.consumerIdle()
	for _, m := range []string{"line_state", "agent"} {
		if n, err := h.influx.Count(h.ctx, m); err != nil || n != 0 {
			t.Errorf("%s holds %d points (%v), want none from an agent", m, n, err)
		}
	}
	want := map[string]string{
		"forbidden_measurement": `results[1].m: measurement "line_state" is written by the controller only (and 1 more)`,
		"out_of_range":          "results[3].f.loss_pct: ping.loss_pct -5 is outside 0..100",
		"too_old":               "results[4].t: 2000-01-02T00:00:00Z: timestamp older than the results stream's max age",
	}
	s, err := h.js.Stream(h.ctx, h.in.opts.DeadLetterStream)
	if err != nil {
		t.Fatal(err)
	}
	for seq := uint64(1); seq <= 3; seq++ {
		m, err := s.GetMsg(h.ctx, seq)
		if err != nil {
			t.Fatalf("dead letter %d: %v", seq, err)
		}
		reason, text := m.Header.Get(HeaderReason), m.Header.Get(HeaderError)
		if w, ok := want[reason]; !ok || !strings.Contains(text, w) {
			t.Errorf("dead letter %d: reason %q error %q; want one of %v", seq, reason, text, want)
		}
		delete(want, reason)
	}
	if len(want) > 0 {
		t.Errorf("no dead letter for %v", want)
	}
}
