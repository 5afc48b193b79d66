package agentauth

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// agentConsumers lists the consumers on the config stream whose filter is
// agent's key.
func agentConsumers(t *testing.T, js jetstream.JetStream, agent string) (durable, all int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, configStream)
	if err != nil {
		t.Fatal(err)
	}
	l := s.ListConsumers(ctx)
	for ci := range l.Info() {
		if consumerAgent(&ci.Config) == agent {
			all++
			if ci.Config.Durable != "" {
				durable++
			}
		}
	}
	if err := l.Err(); err != nil {
		t.Fatal(err)
	}
	return durable, all
}

// Attack 6 of issue 10: an agent created any number of durable consumers on
// the config stream, which outlived its revocation. Durables are refused
// on the legacy subject by permission and deleted at once on the new one;
// an agent keeps at most PerAgent consumers; the stream's consumer limit
// bounds how long any of them outlives its agent; the KV watch works.
func TestAgentConsumersLimited(t *testing.T) {
	f := newFixture(t, Options{})
	cjs, ckv := f.controllerJS()
	reg := prometheus.NewRegistry()
	lim, err := NewConsumerLimiter(f.broker.Conn, ConsumerOptions{}, slog.New(slog.NewTextHandler(f.logs, nil)), reg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go lim.Run(ctx)
	eventually(t, 5*time.Second, "the stream's consumer limit", func() bool {
		s, err := cjs.Stream(ctx, configStream)
		return err == nil && s.CachedInfo().Config.ConsumerLimits.InactiveThreshold == time.Minute
	})

	a, errs, err := f.connect(f.add("A"))
	if err != nil {
		t.Fatal(err)
	}
	ajs, _ := jetstream.New(a, jetstream.WithDefaultTimeout(2*time.Second))
	filter := configKey + "A"

	// Legacy durable create: not in the permissions.
	if _, err := a.Request("$JS.API.CONSUMER.DURABLE.CREATE."+configStream+".evil",
		[]byte(`{"stream_name":"`+configStream+`","config":{"durable_name":"evil","filter_subject":"`+filter+`"}}`), 500*time.Millisecond); err == nil {
		t.Error("legacy durable create answered")
	}
	// New-style create with a durable name: the server allows the subject,
	// the limiter deletes the consumer.
	for i := range 3 {
		name := fmt.Sprintf("evil%d", i)
		if _, err := ajs.CreateConsumer(ctx, configStream, jetstream.ConsumerConfig{Durable: name, FilterSubject: filter}); err != nil {
			t.Fatalf("durable %s: %v", name, err)
		}
	}
	// Asking to outlive the agent for a day is refused by the server.
	if _, err := ajs.CreateConsumer(ctx, configStream, jetstream.ConsumerConfig{FilterSubject: filter, InactiveThreshold: 24 * time.Hour}); err == nil {
		t.Error("a consumer with a 24h inactive threshold was created")
	}
	for range 6 {
		if _, err := ajs.CreateConsumer(ctx, configStream, jetstream.ConsumerConfig{FilterSubject: filter}); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, 10*time.Second, "A's consumers cut to 2, no durable", func() bool {
		d, n := agentConsumers(t, cjs, "A")
		return d == 0 && n <= 2
	})
	if got := counterValue(lim.deleted.WithLabelValues(ConsumerDurable)); got != 3 {
		t.Errorf("durable deletions = %v, want 3", got)
	}
	if got := counterValue(lim.deleted.WithLabelValues(ConsumerExcess)); got != 4 {
		t.Errorf("excess deletions = %v, want 4", got)
	}

	// The agent's real need still works: a KV watch of its own key.
	kv, err := ajs.KeyValue(ctx, ConfigBucket)
	if err != nil {
		t.Fatal(err)
	}
	w, err := kv.Watch(ctx, "A")
	if err != nil {
		t.Fatal(err)
	}
	next := func(want string) {
		t.Helper()
		for {
			select {
			case e := <-w.Updates():
				if e == nil {
					continue
				}
				if string(e.Value()) != want {
					t.Fatalf("watch delivered %q, want %q", e.Value(), want)
				}
				return
			case <-ctx.Done():
				t.Fatalf("watch delivered nothing; async errors %v", errs.errs)
			}
		}
	}
	next("config of A")
	if _, err := ckv.PutString(ctx, "A", "config of A, rev 2"); err != nil {
		t.Fatal(err)
	}
	next("config of A, rev 2")
	// The watch's consumer is A's newest: the limiter cut an older one.
	eventually(t, 10*time.Second, "A's consumers, with its watch, cut to 2", func() bool {
		d, n := agentConsumers(t, cjs, "A")
		return d == 0 && n == 2
	})
	if _, err := ckv.PutString(ctx, "A", "config of A, rev 3"); err != nil {
		t.Fatal(err)
	}
	next("config of A, rev 3")
	if !errs.has(`Permissions Violation for Publish to "$JS.API.CONSUMER.DURABLE.CREATE.`) {
		t.Errorf("legacy durable create not refused by permission: %v", errs.errs)
	}
}

func counterValue(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		return -1
	}
	return m.GetCounter().GetValue()
}
