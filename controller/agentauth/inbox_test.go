package agentauth

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vantage-net/vantage/controller/broker"
)

// Attack 1 of issue 10: an agent subscribing to every reply subject read
// other agents' configs and the controller's result pulls. B may subscribe
// only below its own inbox prefix; A's replies and the controller's go
// elsewhere, and A still gets, watches and publishes.
func TestAgentSubscribesOnlyToItsOwnInbox(t *testing.T) {
	f := newFixture(t, Options{})
	_, _ = f.controllerJS()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	b, bErrs, err := f.connect(f.add("B"))
	if err != nil {
		t.Fatal(err)
	}
	var seen atomic.Int64 // messages B received on any subscription
	count := func(*nats.Msg) { seen.Add(1) }
	refused := []string{"_INBOX.>", ">", "_INBOX_A.>", "_INBOX_A.*", broker.InboxPrefix + ".>", "$JS.>", "vantage.results.>"}
	for _, subj := range append(refused, InboxPrefix("B")+".>") {
		if _, err := b.Subscribe(subj, count); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 3*time.Second, "every foreign subscription refused", func() bool {
		for _, subj := range refused {
			if !bErrs.has(`Permissions Violation for Subscription to "` + subj + `"`) {
				return false
			}
		}
		return true
	})
	if bErrs.has(`Subscription to "` + InboxPrefix("B") + `.>"`) {
		t.Fatalf("B may not subscribe to its own inbox: %v", bErrs.errs)
	}

	// A works: publish with ack, get and watch its own key.
	a, aErrs, err := f.connect(f.add("A"))
	if err != nil {
		t.Fatal(err)
	}
	ajs, _ := jetstream.New(a)
	if _, err := ajs.Publish(ctx, "vantage.results.A", []byte("r1"), jetstream.WithMsgID("A-1")); err != nil {
		t.Fatalf("A publish: %v; async errors %v", err, aErrs.errs)
	}
	kv, err := ajs.KeyValue(ctx, ConfigBucket)
	if err != nil {
		t.Fatal(err)
	}
	if e, err := kv.Get(ctx, "A"); err != nil || string(e.Value()) != "config of A" {
		t.Fatalf("A get own key: %v", err)
	}
	w, err := kv.Watch(ctx, "A")
	if err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-w.Updates():
		if e == nil || string(e.Value()) != "config of A" {
			t.Fatalf("A's watch delivered %v", e)
		}
	case <-ctx.Done():
		t.Fatal("A's watch delivered nothing")
	}

	// The controller pulls A's batch over its own (in-process) connection.
	cjs, _ := jetstream.New(f.broker.Conn)
	cons, err := cjs.CreateOrUpdateConsumer(ctx, "VANTAGE_RESULTS", jetstream.ConsumerConfig{Durable: "ingest", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := cons.Fetch(1, jetstream.FetchMaxWait(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	got := 0
	for m := range batch.Messages() {
		got++
		if m.Reply() == "" || m.Subject() != "vantage.results.A" {
			t.Fatalf("pulled %q", m.Subject())
		}
	}
	if got != 1 {
		t.Fatalf("controller pulled %d messages, want A's one", got)
	}
	// A round trip on B's connection after all of that: anything routed to
	// B would have arrived before this.
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	if n := seen.Load(); n != 0 {
		t.Fatalf("B received %d messages of A's or the controller's traffic", n)
	}
	if len(aErrs.errs) != 0 {
		t.Fatalf("A's normal work hit permission errors: %v", aErrs.errs)
	}
}
