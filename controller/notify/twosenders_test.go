package notify

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/linestate"
	"github.com/vantage-net/vantage/controller/store/postgres"
	"github.com/vantage-net/vantage/controller/store/storetest"
)

// Two controllers' senders on one PostgreSQL outbox, claiming at the same
// time: every message reaches the real SMTP server exactly once, with its
// Message-ID once (issue 16: exactly-once per idempotency key with two
// controllers running).
func TestTwoSendersDeliverEachMessageOnce(t *testing.T) {
	storetest.PostgresOnly(t)
	fast := func(o *Options) {
		o.Sender.Batch, o.Sender.Workers = 2, 2
		o.Sender.PerChannel = map[string]Rate{Email: {Count: 100000, Per: time.Second}}
	}
	r := newRig(t, emailOnly(), fast)
	n2 := r.second()
	// Rounds of 40 lines down at once: two senders claiming two rows at a
	// time overlap often enough that a double claim shows within a run.
	const lines, rounds = 40, 4
	want := 0
	for round := range rounds {
		at := t0.Add(time.Duration(round) * time.Hour)
		for i := range lines {
			c := fmt.Sprintf("D%d-%02d", round, i)
			r.customer(c, "diamond", fmt.Sprintf("noc%02d@d%d.example", i, round), "en")
			r.line(incident.Line{ID: fmt.Sprintf("L%d-%02d", round, i), Customer: c, Tier: "diamond"}, linestate.Down, at)
		}
		r.at(at.Add(time.Minute))
		var due int
		if err := r.db.QueryRowContext(r.ctx, `SELECT count(*) FROM notify_outbox WHERE status = 'pending' AND next_attempt_at <= ?`,
			r.clock().UnixMilli()).Scan(&due); err != nil || due < lines {
			t.Fatalf("round %d: %d messages due (%v), want at least %d", round, due, err, lines)
		}
		want += due
		race(t, r, n2)
	}
	got := r.sink.Count()
	total := 0
	for id, k := range got {
		total += k
		if k != 1 {
			t.Errorf("Message-ID %s delivered %d times", id, k)
		}
	}
	if total != want || len(got) != want {
		t.Fatalf("SMTP server got %d messages (%d distinct), want %d, each once", total, len(got), want)
	}
	if s := r.statuses(); s["outage_start/sent"] != want {
		t.Fatalf("outbox statuses %v, want %d sent", s, want)
	}
}

// A controller that dies holding claims: the other leaves them alone while
// the lease runs (it may still be delivering), then sends them, once.
func TestDeadSendersClaimSentAfterLease(t *testing.T) {
	storetest.PostgresOnly(t)
	r := newRig(t, emailOnly(), nil)
	n2 := r.second()
	r.customer("D1", "diamond", "li@d1.example", "")
	r.line(incident.Line{ID: "L1", Customer: "D1", Tier: "diamond"}, linestate.Down, t0)
	r.at(t0.Add(time.Minute))
	claimed, err := r.n.claim(r.ctx, r.clock()) // then the first controller dies
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v, %d rows", err, len(claimed))
	}
	if k, err := n2.Recover(r.ctx); err != nil || k != 0 {
		t.Fatalf("the other controller's Recover took a live claim: %d, %v", k, err)
	}
	if k, err := n2.Step(r.ctx); err != nil || k != 0 || len(r.sink.Messages()) != 0 {
		t.Fatalf("the other controller sent a claimed row within its lease: %d, %v", k, err)
	}
	r.at(r.clock().Add(r.n.lease()))
	if k, err := n2.Step(r.ctx); err != nil || k != 1 {
		t.Fatalf("after the lease: claimed %d, %v; want 1", k, err)
	}
	if k, err := n2.Step(r.ctx); err != nil || k != 0 {
		t.Fatalf("sent again: %d, %v", k, err)
	}
	msgs := r.sink.Messages()
	if len(msgs) != 1 || msgs[0].MessageID != "<"+claimed[0].MessageID+">" {
		t.Fatalf("%d messages, want one with Message-ID <%s>", len(msgs), claimed[0].MessageID)
	}
}

// second is another controller's notifier: same options, its own
// connection pool on the rig's database.
func (r *rig) second() *Notifier {
	r.t.Helper()
	db2, err := postgres.Open(r.ctx, r.target, postgres.Options{})
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { db2.Close() })
	o2 := r.opts
	o2.DB = db2
	n2, err := New(o2, nil, nil)
	if err != nil {
		r.t.Fatal(err)
	}
	return n2
}

// race runs both notifiers' senders at once until the outbox has nothing
// pending or being sent.
func race(t *testing.T, r *rig, n2 *Notifier) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for _, n := range []*Notifier{r.n, n2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			deadline := time.Now().Add(30 * time.Second)
			for time.Now().Before(deadline) {
				if _, err := n.Step(r.ctx); err != nil {
					errs <- err
					return
				}
				var left int
				if err := n.opts.DB.QueryRowContext(r.ctx, `SELECT count(*) FROM notify_outbox WHERE status IN ('pending', 'sending')`).Scan(&left); err != nil {
					errs <- err
					return
				}
				if left == 0 {
					return
				}
			}
			errs <- fmt.Errorf("outbox not drained within 30 s")
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
