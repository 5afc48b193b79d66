package notify

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/linestate"
)

// Per recipient: at most 2 an hour to one address; the third message
// waits for the bucket to refill (30 min), counted rate_limited, never
// dropped. Another address is not held back by it.
func TestRateLimitPerRecipient(t *testing.T) {
	r := newRig(t, emailOnly(), func(o *Options) { o.Sender.PerRecipient = Rate{Count: 2, Per: time.Hour} })
	r.customer("D1", "diamond", "busy@d1.example", "en")
	r.customer("D2", "diamond", "calm@d2.example", "en")
	for i := range 3 {
		r.line(incident.Line{ID: fmt.Sprintf("L1-%d", i), Customer: "D1", Tier: "diamond"}, linestate.Down, t0)
	}
	r.line(incident.Line{ID: "L2", Customer: "D2", Tier: "diamond"}, linestate.Down, t0)
	r.at(t0.Add(time.Minute))
	r.send()
	if got := len(to(r.sink.Messages(), "busy@d1.example")); got != 2 {
		t.Fatalf("busy recipient got %d at once, want 2", got)
	}
	if got := len(to(r.sink.Messages(), "calm@d2.example")); got != 1 {
		t.Errorf("another recipient held back: %d", got)
	}
	if v := testutil.ToFloat64(r.n.m.total.WithLabelValues("email", OutageStart, "rate_limited")); v < 1 {
		t.Errorf("rate_limited counter %v", v)
	}
	r.at(t0.Add(time.Minute + 29*time.Minute))
	r.send()
	if got := len(to(r.sink.Messages(), "busy@d1.example")); got != 2 {
		t.Fatalf("third sent before the bucket refilled: %d", got)
	}
	r.at(t0.Add(time.Minute + 30*time.Minute))
	r.send()
	if got := len(to(r.sink.Messages(), "busy@d1.example")); got != 3 {
		t.Errorf("third message after 30 min: %d, want 3 (held, not dropped)", got)
	}
}
