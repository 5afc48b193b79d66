package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"runtime/pprof"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/controller/broker"
	"github.com/vantage-net/vantage/controller/ingest"
	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/controller/writebehind"
	"github.com/vantage-net/vantage/probes/result"
)

// runIngest fills the results stream as agents would, then times the real
// controller/ingest Ingester and influx.Writer draining it into the empty
// database db, from Run until every message is settled. round makes the
// agents' message ids new, or the stream's de-duplication window would
// swallow the second round's publishes.
func runIngest(ctx context.Context, c config, srv *influxServer, b *broker.Broker, batches []*result.Batch, n int, db string, round int, rec *recorder) (phase, error) {
	if _, err := srv.influxQL("", "CREATE DATABASE "+db); err != nil {
		return phase{}, err
	}
	reg := prometheus.NewRegistry()
	// Without the queue the ingest's Writers are the only concurrency
	// (Parallel 1), so requests in flight never exceed -writers, as in
	// the ceiling; with it the queue's one drain loop writes rounds of
	// 2 × -batch points, -writers requests at a time.
	parallel := 1
	if c.queue {
		parallel = c.writers
	}
	io := influx.Options{URL: srv.url(), Bucket: db + "/autogen", BatchSize: c.batch, Parallel: parallel}
	if rec != nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = c.writers + 1
		rec.next = t
		io.HTTPClient = &http.Client{Transport: rec, Timeout: 30 * time.Second}
	}
	w, err := influx.New(io, logger(), reg)
	if err != nil {
		return phase{}, err
	}
	defer w.Close()
	opts := ingest.Options{FetchBatch: c.fetch, Writers: c.writers}
	if c.fetch > 0 {
		opts.MaxAckPending = max(1000, (c.writers+2)*c.fetch) // the rule of Options.MaxAckPending
	}
	counted := newCountStore(w, n)
	var store ingest.Store = counted
	var queue *writebehind.Queue
	if c.queue {
		js, err := jetstream.New(b.Conn)
		if err != nil {
			return phase{}, err
		}
		queue, err = writebehind.Open(counted, writebehind.Options{Dir: fmt.Sprintf("%s/queue_%d", c.dir, round),
			MaxPoints: 2 * c.batch, JetStream: js, Logger: logger(), Registerer: reg})
		if err != nil {
			return phase{}, err
		}
		store = queue
	}
	in, err := ingest.New(b.Conn, store, opts, logger(), reg, &countSink{})
	if err != nil {
		return phase{}, err
	}
	if err := in.EnsureStreams(ctx); err != nil {
		return phase{}, err
	}
	pubStart := time.Now()
	if err := prefill(ctx, b.ClientURL(), batches, round); err != nil {
		return phase{}, err
	}
	if err := checkStream(ctx, b.Conn, len(batches)); err != nil {
		return phase{}, err
	}
	fmt.Printf("%s: published %d messages in %.2fs (%.0f results/s into JetStream)\n", db, len(batches),
		time.Since(pubStart).Seconds(), float64(n)/time.Since(pubStart).Seconds())

	if c.cpuprofile != "" && round == 1 {
		f, err := os.Create(c.cpuprofile)
		if err != nil {
			return phase{}, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return phase{}, err
		}
		defer pprof.StopCPUProfile()
	}

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	ran := make(chan error, 1)
	stop := make(chan struct{})
	go progress(db, n, c.progress, counted.results, stop)
	before := readCPU(srv.pid())
	start := time.Now()
	go func() { ran <- in.Run(runCtx) }()
	drained := make(chan error, 1)
	if queue != nil {
		go func() { drained <- queue.Run(runCtx) }()
	}
	select {
	case <-counted.done:
	case err = <-ran:
		err = fmt.Errorf("ingest stopped early: %v", err)
	case <-ctx.Done():
		err = ctx.Err()
	}
	p := phase{n: n, d: time.Since(start), cpu: readCPU(srv.pid()).sub(before)}
	close(stop)
	if err != nil {
		return phase{}, fmt.Errorf("%s: %w", db, err)
	}
	cancel()
	if err := <-ran; err != nil {
		return phase{}, err
	}
	if queue != nil {
		if err := <-drained; err != nil {
			return phase{}, err
		}
	}
	if err := checkDrained(ctx, b.Conn, reg, len(batches), n); err != nil {
		return phase{}, fmt.Errorf("%s: %w", db, err)
	}
	if err := checkCount(srv, db, n); err != nil {
		return phase{}, fmt.Errorf("%s: %w", db, err)
	}
	fmt.Printf("%s: %d results in %.2fs = %.0f results/s, CPU %s; counts in JetStream and InfluxDB verified\n",
		db, n, p.d.Seconds(), p.rate(), p.cpu)
	// Dropped like the ceiling's, so the next round starts from the same
	// empty state.
	_, err = srv.influxQL("", "DROP DATABASE "+db)
	return p, err
}

func logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
