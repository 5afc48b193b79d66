package notify

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// One poll's delivery (sendDue) claims batch after batch while each is
// delivered in full, and stops at a batch the rate limits held back from:
// twelve messages due to one address allowed one an hour, batches of
// four. The first batch sends one and puts three back; the eight behind
// it are left as they were, not claimed and put back in two more batches.
func TestHeldBackBatchEndsThePoll(t *testing.T) {
	r := newRig(t, emailOnly(), func(o *Options) {
		o.Sender.Batch = 4
		o.Sender.PerRecipient = Rate{Count: 1, Per: time.Hour}
	})
	seedOutbox(t, r, 12)
	r.exec(`UPDATE notify_outbox SET recipient = 'noc@busy.example'`)
	r.at(t0.Add(time.Minute))
	r.n.sendDue(r.ctx)
	if got := len(r.sink.Messages()); got != 1 {
		t.Fatalf("%d messages sent, want 1 (the address's one an hour)", got)
	}
	held := testutil.ToFloat64(r.n.m.total.WithLabelValues(Email, OutageStart, "rate_limited"))
	untouched := r.count(`SELECT count(*) FROM notify_outbox WHERE status = 'pending' AND next_attempt_at = ?`, t0.UnixMilli())
	if held != 3 || untouched != 8 {
		t.Errorf("%v rows held back and %d never claimed, want 3 and 8: the poll went on claiming after a held-back batch",
			held, untouched)
	}
}

// Full batches delivered in full: the poll claims the next at once, and
// empties the outbox, not one batch per poll.
func TestFullBatchesDrainInOnePoll(t *testing.T) {
	r := newRig(t, emailOnly(), func(o *Options) { o.Sender.Batch = 4 })
	seedOutbox(t, r, 10)
	r.at(t0.Add(time.Minute))
	r.n.sendDue(r.ctx)
	if got := len(r.sink.Messages()); got != 10 {
		t.Fatalf("%d messages sent in one poll, want all 10 (batches of 4)", got)
	}
}

// A claim takes at most Batch rows. On PostgreSQL the claim's UPDATE ...
// WHERE id IN (SELECT ... LIMIT Batch FOR UPDATE SKIP LOCKED) claimed
// every due row (12 of 12 here): the planner ran the limited select once
// per row it tested. The select is a materialized CTE now, run once.
func TestClaimTakesAtMostBatch(t *testing.T) {
	r := newRig(t, emailOnly(), func(o *Options) { o.Sender.Batch = 4 })
	seedOutbox(t, r, 12)
	rows, err := r.n.claim(r.ctx, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 {
		t.Errorf("one claim took %d rows, want the batch of 4", len(rows))
	}
	if k := r.count(`SELECT count(*) FROM notify_outbox WHERE status = 'sending'`); k != 4 {
		t.Errorf("%d rows sending after one claim, want 4", k)
	}
}
