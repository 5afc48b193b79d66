package spool_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vantage-net/vantage/agent/publish"
	"github.com/vantage-net/vantage/agent/spool"
	"github.com/vantage-net/vantage/internal/clock"
	"github.com/vantage-net/vantage/probes/result"
)

// These tests run the agent's real publishing path (Batcher → Spool →
// Sender) against an in-process JetStream server that goes down and comes
// back, and count what the stream holds against what was produced.

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

const stream = "VANTAGE_RESULTS"

// natsServer is an in-process JetStream server that can be stopped and
// started again on the same port with the same store.
type natsServer struct {
	t     *testing.T
	store string
	port  int
	srv   *server.Server
}

func (n *natsServer) start() {
	n.t.Helper()
	port := n.port
	if port == 0 {
		port = -1
	}
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: port, JetStream: true,
		StoreDir: n.store, NoLog: true, NoSigs: true})
	if err != nil {
		n.t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		n.t.Fatal("nats-server not ready")
	}
	n.srv = s
	// The first start takes a free port; restarts reuse it, so the agent's
	// client reconnects to the same URL, as it would in production.
	n.port = s.Addr().(*net.TCPAddr).Port
}

func (n *natsServer) stop() {
	n.srv.Shutdown()
	n.srv.WaitForShutdown()
}

func (n *natsServer) url() string { return fmt.Sprintf("nats://127.0.0.1:%d", n.port) }

// startStream starts the server, creates the results stream as the
// controller does, and stops the server again: the agent starts during an
// outage.
func startStream(t *testing.T) *natsServer {
	n := &natsServer{t: t, store: t.TempDir()}
	n.start()
	t.Cleanup(func() {
		if n.srv.Running() {
			n.stop()
		}
	})
	nc, err := nats.Connect(n.url())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: stream, Subjects: []string{"vantage.results.>"},
		Duplicates: 5 * time.Minute}); err != nil {
		t.Fatal(err)
	}
	return n
}

// agentSide is one "process" of the agent's publishing path.
type agentSide struct {
	sp       *spool.Spool
	nc       *nats.Conn
	js       jetstream.JetStream
	epoch    string
	stopSend context.CancelFunc
	sendDone chan struct{}
	pushed   int // messages the batcher produced
}

// countingQueue counts the messages the batcher pushes.
type countingQueue struct {
	publish.Queue
	n *int
}

func (q countingQueue) Push(m publish.Message) { *q.n++; q.Queue.Push(m) }

func startAgent(t *testing.T, dir, url, epoch string, maxBytes int64, dropped func(int, string)) *agentSide {
	t.Helper()
	sp, err := spool.Open(spool.Options{Dir: dir, MaxBytes: maxBytes, Fsync: spool.FsyncInterval,
		FsyncInterval: 20 * time.Millisecond, Logger: quiet, Dropped: dropped})
	if err != nil {
		t.Fatal(err)
	}
	// As the agent connects: retry for ever, no client-side buffering.
	nc, err := nats.Connect(url, nats.RetryOnFailedConnect(true), nats.MaxReconnects(-1),
		nats.ReconnectWait(20*time.Millisecond), nats.ReconnectBufSize(-1))
	if err != nil {
		t.Fatal(err)
	}
	js, _ := jetstream.New(nc)
	return &agentSide{sp: sp, nc: nc, js: js, epoch: epoch}
}

// produce runs a batcher over n results starting at series time base.
func (a *agentSide) produce(n int, base time.Time) {
	in := make(chan result.Result, n)
	for i := 0; i < n; i++ {
		in <- result.Result{Time: base.Add(time.Duration(i) * time.Second), Measurement: "ping", Probe: "pop",
			Tags: map[string]string{"target": "198.18.0.1"}, Fields: map[string]float64{"sent": 1, "recv": 1}}
	}
	close(in)
	b := &publish.Batcher{Agent: "a1", Max: 7, Delay: time.Hour, Queue: countingQueue{a.sp, &a.pushed},
		Clock: clock.Real{}, IDPrefix: a.epoch, Logger: quiet}
	b.Run(context.Background(), in)
}

func (a *agentSide) startSender() {
	ctx, cancel := context.WithCancel(context.Background())
	a.stopSend, a.sendDone = cancel, make(chan struct{})
	s := &publish.Sender{Subject: "vantage.results.a1", JS: a.js, Queue: a.sp, Timeout: 500 * time.Millisecond,
		Logger: quiet, Rand: rand.New(rand.NewSource(1))}
	go func() { defer close(a.sendDone); s.Run(ctx) }()
}

// stop ends the "process": sender, connection, spool.
func (a *agentSide) stop(t *testing.T) {
	if a.stopSend != nil {
		a.stopSend()
		<-a.sendDone
	}
	a.nc.Close()
	if err := a.sp.Close(); err != nil {
		t.Fatal(err)
	}
}

// checkFor retries cond until it holds or the test's deadline nears.
func checkFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	if d, ok := t.Deadline(); ok && time.Until(d) < 70*time.Second {
		deadline = d.Add(-5 * time.Second)
	}
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// streamContents reads every message of the stream: message count,
// distinct message ids, results, distinct result identities.
func streamContents(t *testing.T, url string) (msgs, ids, results, points int) {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	st, err := js.Stream(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seenID, seenPoint := map[string]bool{}, map[string]bool{}
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		m, err := st.GetMsg(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		msgs++
		seenID[m.Header.Get(publish.MsgIDHeader)] = true
		b, err := result.Decode(m.Data)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range b.Results {
			results++
			seenPoint[r.Time.Format(time.RFC3339Nano)] = true
		}
	}
	return msgs, len(seenID), results, len(seenPoint)
}

func TestEndToEndOutageRestartNoLossNoDuplicate(t *testing.T) {
	ns := startStream(t)
	ns.stop() // NATS is down while the agent starts and probes
	dir := t.TempDir()
	base := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

	// First process: 100 results while NATS is down, then it stops.
	a := startAgent(t, dir, ns.url(), "e1", 64<<20, nil)
	a.startSender()
	a.produce(100, base)
	time.Sleep(300 * time.Millisecond) // the sender fails and backs off
	if a.sp.Results() != 100 {
		t.Fatalf("spooled %d of 100", a.sp.Results())
	}
	pushed := a.pushed
	a.stop(t)

	// Second process: replays the spool, probes 50 more, NATS comes back.
	a = startAgent(t, dir, ns.url(), "e2", 64<<20, nil)
	a.produce(50, base.Add(time.Hour))
	a.startSender()
	ns.start()
	checkFor(t, "spool to drain", func() bool { return a.sp.Results() == 0 })
	pushed += a.pushed

	// Third process: JetStream stores a message but the agent dies before
	// the acknowledgement reaches the spool. The replay stores it again
	// with the same id: the stream keeps no stream-wide de-duplication
	// for agents (any agent could abuse it against another's ids); the
	// controller's ingest skips the resend by (agent, id), and InfluxDB
	// would store its points once anyway (same identity).
	a.stop(t)
	a = startAgent(t, dir, ns.url(), "e3", 64<<20, nil)
	a.produce(20, base.Add(2*time.Hour))
	head, _ := a.sp.Peek()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := a.js.PublishMsg(ctx, &nats.Msg{Subject: "vantage.results.a1", Data: head.Data,
		Header: nats.Header{publish.MsgIDHeader: []string{head.ID}}}); err != nil {
		t.Fatal(err)
	}
	pushed += a.pushed
	a.stop(t) // without Pop
	a = startAgent(t, dir, ns.url(), "e4", 64<<20, nil)
	a.startSender()
	checkFor(t, "replay to drain", func() bool { return a.sp.Results() == 0 })
	a.stop(t)

	msgs, ids, results, points := streamContents(t, ns.url())
	if ids != pushed || msgs != pushed+1 {
		t.Errorf("stream holds %d messages with %d distinct ids; %d produced, one of them resent", msgs, ids, pushed)
	}
	if head.Results == 0 || results != 170+head.Results || points != 170 {
		t.Errorf("stream holds %d results (%d distinct points); 170 produced and the resend's %d", results, points, head.Results)
	}
}

func TestEndToEndSpoolFullDropsCountedRestDelivered(t *testing.T) {
	ns := startStream(t)
	ns.stop()
	dir := t.TempDir()
	var mu sync.Mutex
	dropped := 0
	onDrop := func(n int, reason string) {
		mu.Lock()
		defer mu.Unlock()
		if reason != "full" {
			t.Errorf("dropped for %q", reason)
		}
		dropped += n
	}
	// About 20 batches fit; 1,000 results are about 143.
	a := startAgent(t, dir, ns.url(), "e1", 20*1100, onDrop)
	a.startSender()
	const produced = 1000
	a.produce(produced, time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC))
	a.stop(t)
	a = startAgent(t, dir, ns.url(), "e2", 20*1100, onDrop)
	a.startSender()
	ns.start()
	checkFor(t, "spool to drain", func() bool { return a.sp.Results() == 0 })
	a.stop(t)

	_, ids, results, points := streamContents(t, ns.url())
	mu.Lock()
	defer mu.Unlock()
	if dropped == 0 {
		t.Fatal("nothing dropped: the spool was not full")
	}
	if dropped+results != produced || points != results {
		t.Errorf("dropped %d + delivered %d (%d distinct) != produced %d", dropped, results, points, produced)
	}
	t.Logf("produced %d, dropped %d, delivered %d in %d messages", produced, dropped, results, ids)
}
