package ingest

import (
	"testing"
	"time"
)

// TestPullHandsOnEachMessageAsItArrives: a pull that waited for its batch
// to fill would hold a lone message until FetchMaxWait (an hour here), and
// that wait was part of every detection. Each message must reach the
// sinks and InfluxDB, acked, while later ones are not even published yet;
// a backlog still arrives in pulls of several messages.
func TestPullHandsOnEachMessageAsItArrives(t *testing.T) {
	sink := &flakySink{seen: map[string]int{}}
	h := newHarness(t, Options{FetchBatch: 50, FetchMaxWait: time.Hour}, sink)
	for i := range 3 {
		h.publishBatch(pings("cpe-a", 2, t0.Add(-time.Minute+time.Duration(i)*time.Second)))
		h.waitCounter("messages ok", h.in.m.messages.WithLabelValues(outcomeOK), float64(i+1))
		if got := sink.handled("cpe-a"); got != 2*(i+1) {
			t.Fatalf("after message %d the sink handled %d results, want %d", i+1, got, 2*(i+1))
		}
	}
	h.consumerIdle()
	pulls := value(h.in.m.fetchMessages)

	// A backlog published while a write is held up comes in pulls of more
	// than one message, not one pull per message.
	sink.mu.Lock()
	for i := range 20 {
		h.publishBatch(pings("cpe-b", 1, t0.Add(-30*time.Second+time.Duration(i)*time.Second)))
	}
	sink.mu.Unlock()
	h.waitCounter("messages ok", h.in.m.messages.WithLabelValues(outcomeOK), 23)
	if got := value(h.in.m.fetchMessages) - pulls; got >= 20 {
		t.Errorf("20 waiting messages took %v pulls", got)
	}
	h.waitCount("ping", 3*2+20)

	// The pull under way waits (up to its hour) for a first message, and is
	// finished, not cut, at shutdown: one more message ends it.
	h.cancel()
	h.publishBatch(pings("cpe-c", 1, t0.Add(-time.Second)))
	h.stop()
}
