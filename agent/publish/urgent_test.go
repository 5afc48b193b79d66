package publish

import (
	"context"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vantage-net/vantage/internal/clock"
	"github.com/vantage-net/vantage/internal/waitfor"
	"github.com/vantage-net/vantage/probes/result"
)

// round is a ping round of target at slot s: answered or not.
func round(target string, s int, answered bool) result.Result {
	r := ping(target, t0.Add(time.Duration(s)*time.Second))
	r.Fields = map[string]float64{"sent": 3, "recv": 3}
	if !answered {
		r.Fields["recv"] = 0
		r.Error = "timeout"
	}
	return r
}

// startJetStream runs an in-process nats-server with JetStream and a
// results stream, and returns its JetStream handle.
func startJetStream(t *testing.T) jetstream.JetStream {
	t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true,
		StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := waitfor.Context(t, 10*time.Second)
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "VANTAGE_RESULTS", Subjects: []string{"vantage.results.>"}}); err != nil {
		t.Fatal(err)
	}
	return js
}

// TestUrgentFlushOnFailureAfterSuccess: the batch timer never fires (a
// fake clock nobody advances), so a message reaches JetStream only by an
// urgent flush, a full batch or the end of the input. A failing round of
// a series that had answered is published at once, together with what
// waited before it; successes, failures of a series that never answered
// and failures past UrgentRounds keep waiting for the batch.
func TestUrgentFlushOnFailureAfterSuccess(t *testing.T) {
	js := startJetStream(t)
	q := NewMemQueue(1000, nil)
	urgent := 0
	b := &Batcher{Agent: "a1", Max: 500, Delay: 250 * time.Millisecond, Queue: q, Clock: clock.NewFake(t0),
		IDPrefix: "e", Logger: quiet, UrgentRounds: 2, Urgent: func() { urgent++ }}
	s := &Sender{Subject: "vantage.results.a1", JS: js, Queue: q, Timeout: 5 * time.Second, Logger: quiet,
		Rand: rand.New(rand.NewSource(1))}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx)
	in := make(chan result.Result, 16)
	batcherDone := make(chan struct{})
	go func() { defer close(batcherDone); b.Run(context.Background(), in) }()

	stream, err := js.Stream(waitfor.Context(t, 10*time.Second), "VANTAGE_RESULTS")
	if err != nil {
		t.Fatal(err)
	}
	// message waits until the stream holds seq messages and returns the
	// seq-th as "target/slot/ok|fail" strings.
	message := func(seq uint64) []string {
		t.Helper()
		var got []string
		waitfor.Until(t, fmt.Sprintf("message %d in the stream", seq), func() error {
			m, err := stream.GetMsg(context.Background(), seq)
			if err != nil {
				return err
			}
			batch, err := result.Decode(m.Data)
			if err != nil {
				t.Fatal(err)
			}
			got = got[:0]
			for _, r := range batch.Results {
				outcome := "ok"
				if r.Fields["recv"] == 0 {
					outcome = "fail"
				}
				got = append(got, fmt.Sprintf("%s/%d/%s", r.Tags["target"], int(r.Time.Sub(t0)/time.Second), outcome))
			}
			return nil
		})
		return got
	}
	expect := func(seq uint64, want ...string) {
		t.Helper()
		if got := message(seq); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("message %d holds %v, want %v", seq, got, want)
		}
	}

	// Successes wait for the batch; x's first failure after them leaves
	// at once and takes them along.
	in <- round("x", 0, true)
	in <- round("y", 0, true)
	in <- round("x", 1, true)
	in <- round("x", 2, false)
	expect(1, "x/0/ok", "y/0/ok", "x/1/ok", "x/2/fail")

	// A success waits; x's second failure (within UrgentRounds) takes it.
	in <- round("z", 2, true)
	in <- round("x", 3, false)
	expect(2, "z/2/ok", "x/3/fail")

	// w never answered: its failure is not news and waits; y's failure
	// after its success is, and takes w's along.
	in <- round("w", 3, false)
	in <- round("y", 3, false)
	expect(3, "w/3/fail", "y/3/fail")

	// x's third failure in a row is past UrgentRounds (2): it waits, and
	// leaves only with the last batch when the input ends.
	in <- round("x", 4, false)
	in <- round("z", 4, true)
	close(in)
	<-batcherDone
	expect(4, "x/4/fail", "z/4/ok")
	info, err := stream.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 4 || urgent != 3 {
		t.Fatalf("%d messages and %d urgent flushes, want 4 and 3", info.State.Msgs, urgent)
	}
}

// TestRoundOutcomeAsLineStateSeesIt: only a round through which nothing
// came back is a failure; an answer of any kind is a success.
func TestRoundOutcomeAsLineStateSeesIt(t *testing.T) {
	dial := func(ok float64, class string) result.Result {
		return result.Result{Measurement: "dial", Fields: map[string]float64{"ok": ok}, Error: class}
	}
	for _, c := range []struct {
		r    result.Result
		want outcome
	}{
		{round("x", 0, true), roundOK},
		{round("x", 0, false), roundFailed},
		{result.Result{Measurement: "ping", Fields: map[string]float64{"sent": 0}}, roundUnknown},
		{dial(1, ""), roundOK},
		{dial(0, "refused"), roundOK},
		{dial(0, "timeout"), roundFailed},
		{dial(0, "unreachable"), roundFailed},
		{dial(0, "dns"), roundUnknown},
		{result.Result{Measurement: "snmp_if", Fields: map[string]float64{"oper_up": 0}}, roundUnknown},
	} {
		if got := roundOutcome(&c.r); got != c.want {
			t.Errorf("%s %v %q: %v, want %v", c.r.Measurement, c.r.Fields, c.r.Error, got, c.want)
		}
	}
}
