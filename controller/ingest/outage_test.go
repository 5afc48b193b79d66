package ingest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/internal/lab"
)

// InfluxDB dies (SIGKILL) and comes back with the same data directory.
// While it is down the ingest keeps pulling: every new message reaches the
// sink (line health) at once, and its points wait in JetStream, handed
// back again and again; afterwards every result is in InfluxDB exactly
// once and every message acked once.
func TestInfluxOutageLosesNothingDoublesNothing(t *testing.T) {
	const ackWait = 2 * time.Second
	sink := newRecordSink()
	h := newHarness(t, Options{AckWait: ackWait, FetchBatch: 5, MaxAckPending: 100}, sink)
	for a := range 5 {
		h.publishBatch(pings(fmt.Sprintf("cpe-%d", a), 100, t0.Add(-10*time.Minute)))
	}
	h.waitCounter("results ingested", h.in.m.ingested, 500)

	h.influx.Kill()
	// More messages than the ingest holds in memory, (Writers + 2) pulls
	// of FetchBatch: they must all reach the sink anyway.
	backlog := (h.in.opts.Writers+2)*h.in.opts.FetchBatch + 5
	for a := range backlog {
		h.publishBatch(pings(fmt.Sprintf("cpe-%d", a), 100, t0.Add(-5*time.Minute)))
	}
	lab.WaitFor(t, h.ctx, 20*time.Millisecond, func() error {
		if got := sink.distinct(); got != 100*(5+backlog) {
			return fmt.Errorf("sink saw %d distinct results, want %d: line health waits for InfluxDB", got, 100*(5+backlog))
		}
		return nil
	})
	// Stay down until every held-back message was handed back twice and
	// Healthy reports the outage.
	deferred := h.in.m.deferred.WithLabelValues(deferInfluxUnavailable)
	lab.WaitFor(t, h.ctx, 20*time.Millisecond, func() error {
		if err := h.in.Healthy(); err == nil {
			return errors.New("Healthy reports nothing while InfluxDB is down")
		}
		if got := value(deferred); got < float64(2*backlog) {
			return fmt.Errorf("deferred %v times, want at least %d", got, 2*backlog)
		}
		return nil
	})
	if got := value(h.in.m.ingested); got != 500 {
		t.Errorf("results ingested during the outage = %v, want still 500", got)
	}

	h.influx.Restart()
	msgs := 5 + backlog
	h.waitCount("ping", int64(100*msgs))
	h.consumerIdle()
	if got := value(h.in.m.ingested); got != float64(100*msgs) {
		t.Errorf("results ingested = %v, want exactly %d", got, 100*msgs)
	}
	if got := value(h.in.m.messages.WithLabelValues(outcomeOK)); got != float64(msgs) {
		t.Errorf("messages{ok} = %v, want %d (each acked once)", got, msgs)
	}
	lab.WaitFor(t, h.ctx, 50*time.Millisecond, h.in.Healthy)
}

// Shut down while InfluxDB is down: Run returns within the grace period,
// having handed its messages back (deferred or abandoned, never held), and
// a second ingest on the same durable consumer writes them all when
// InfluxDB returns.
func TestShutdownHandsBackUnwritten(t *testing.T) {
	const ackWait = time.Minute
	h := newHarness(t, Options{AckWait: ackWait, ShutdownGrace: 300 * time.Millisecond, FetchBatch: 4, MaxAckPending: 100})
	h.influx.Kill()
	for a := range 10 {
		h.publishBatch(pings(fmt.Sprintf("cpe-%d", a), 10, t0.Add(-time.Minute)))
	}
	c, err := h.js.Consumer(h.ctx, h.in.opts.Stream, h.in.opts.Consumer)
	if err != nil {
		t.Fatal(err)
	}
	lab.WaitFor(t, h.ctx, 20*time.Millisecond, func() error {
		info, err := c.Info(h.ctx)
		if err != nil {
			return err
		}
		if info.NumAckPending == 0 {
			return errors.New("ingest holds no message yet")
		}
		return nil
	})
	start := time.Now()
	h.stop()
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Run took %v to return with a 300ms grace", d)
	}
	if got := value(h.in.m.messages.WithLabelValues(outcomeAbandoned)) + value(h.in.m.messages.WithLabelValues(outcomeDeferred)); got == 0 {
		t.Error("no message was handed back")
	}

	h.influx.Restart()
	// Handed back means available to the next ingest at once, not after
	// AckWait.
	restarted := time.Now()
	second, err := New(h.nc, h.writer, h.in.opts, nil, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- second.Run(ctx) }()
	defer func() { cancel(); <-ran }()
	h.in = second
	h.waitCount("ping", 100)
	if d := time.Since(restarted); d > ackWait/2 {
		t.Errorf("the second ingest needed %v: the messages were not handed back", d)
	}
	h.consumerIdle()
	if got := value(second.m.ingested); got != 100 {
		t.Errorf("second ingest wrote %v results, want 100", got)
	}
}

// A long outage must not make the ingest slow to notice InfluxDB's return:
// messages may wait up to MaxRetryDelay, probes at most maxProbeDelay.
func TestOutageProbesAtMostEveryProbeDelay(t *testing.T) {
	o := Options{RetryDelay: 2 * time.Second, MaxRetryDelay: time.Minute}
	var out outage
	now := t0
	for range 8 { // a few minutes of failed probes
		if !out.try(now) {
			t.Fatalf("no probe allowed at %s", now.Sub(t0))
		}
		out.failed(now, o.probeDelay, deferInfluxUnavailable)
		now = out.next
	}
	if wait := out.next.Sub(now.Add(-o.probeDelay(8))); wait > maxProbeDelay {
		t.Fatalf("next probe %s after the last, want at most %s", wait, maxProbeDelay)
	}
	if got := o.probeDelay(8); got != maxProbeDelay {
		t.Fatalf("probeDelay(8) = %s, want %s", got, maxProbeDelay)
	}
	if got := o.retryDelay(8); got != time.Minute {
		t.Fatalf("retryDelay(8) = %s: messages still wait up to MaxRetryDelay", got)
	}
}
