package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vantage-net/vantage/controller/broker"
	"github.com/vantage-net/vantage/controller/store/influx"
)

// discardStore takes every point and counts them; done closes once want
// points were taken. It leaves InfluxDB out, so BenchmarkDrain is the
// ingest process's own CPU: the embedded JetStream server, pulls, the
// single pass, acks.
type discardStore struct {
	n, want atomic.Int64
	done    chan struct{}
}

func (s *discardStore) TryWrite(_ context.Context, b *influx.Batch) ([]influx.Rejected, error) {
	if s.n.Add(int64(b.Len())) == s.want.Load() {
		close(s.done)
	}
	return nil, nil
}

func (s *discardStore) Healthy() error { return nil }

// BenchmarkDrain is the ingest process's CPU per result draining a backlog
// as bench/ingest does (6,000 messages of 50 results from the embedded
// JetStream, file storage, in-process connection), without InfluxDB: the
// CPU the ingest takes from a one-box InfluxDB per result.
func BenchmarkDrain(b *testing.B) {
	br, err := broker.Start(broker.Options{Listen: "127.0.0.1:-1", StoreDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer br.Close()
	agents, msgs := fleetMessages(b, 100)
	const copies = 60
	n := int64(copies * len(msgs) * 50)
	pub, err := nats.Connect(br.ClientURL())
	if err != nil {
		b.Fatal(err)
	}
	defer pub.Close()
	js, err := jetstream.New(pub, jetstream.WithPublishAsyncMaxPending(1024))
	if err != nil {
		b.Fatal(err)
	}
	var cpu int64
	round := 0
	for b.Loop() {
		b.StopTimer()
		round++
		store := &discardStore{done: make(chan struct{})}
		store.want.Store(n)
		in, err := New(br.Conn, store, Options{Now: func() time.Time { return t0 }}, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := in.EnsureStreams(context.Background()); err != nil {
			b.Fatal(err)
		}
		for c := range copies {
			for i, data := range msgs {
				m := &nats.Msg{Subject: ResultsSubjectPrefix + agents[i], Data: data,
					Header: nats.Header{HeaderMsgID: []string{fmt.Sprintf("%s-%d-%d", agents[i], round, c)}}}
				if _, err := js.PublishMsgAsync(m); err != nil {
					b.Fatal(err)
				}
			}
		}
		<-js.PublishAsyncComplete()
		ctx, cancel := context.WithCancel(context.Background())
		ran := make(chan error, 1)
		b.StartTimer()
		start := cpuNow()
		go func() { ran <- in.Run(ctx) }()
		select {
		case <-store.done:
		case err := <-ran:
			b.Fatalf("Run: %v", err)
		case <-time.After(20 * time.Second):
			b.Fatalf("not drained: %d of %d points", store.n.Load(), n)
		}
		cpu += cpuNow() - start
		b.StopTimer()
		cancel()
		if err := <-ran; err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(cpu)/float64(int64(b.N)*n), "cpu-ns/result")
	b.ReportMetric(float64(cpu)/float64(b.N)/1e9*300000/float64(n), "cpu-s/300k")
}
