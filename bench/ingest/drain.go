package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime/pprof"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/controller/broker"
	"github.com/vantage-net/vantage/controller/ingest"
	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/probes/result"
)

// runIngest fills the results stream as agents would, then times the real
// controller/ingest Ingester and influx.Writer draining it into the empty
// database db, from Run until every message is settled. round makes the
// agents' message ids new, or the stream's de-duplication window would
// swallow the second round's publishes.
func runIngest(ctx context.Context, c config, srv *influxServer, b *broker.Broker, batches []*result.Batch, n int, db string, round int) (phase, error) {
	if _, err := srv.influxQL("", "CREATE DATABASE "+db); err != nil {
		return phase{}, err
	}
	reg := prometheus.NewRegistry()
	// Parallel 1: the ingest's Writers are the only concurrency, so
	// requests in flight never exceed -writers, as in the ceiling.
	w, err := influx.New(influx.Options{URL: srv.url(), Bucket: db + "/autogen", BatchSize: c.batch, Parallel: 1}, logger(), reg)
	if err != nil {
		return phase{}, err
	}
	defer w.Close()
	opts := ingest.Options{FetchBatch: c.fetch, Writers: c.writers}
	if c.fetch > 0 {
		opts.MaxAckPending = max(1000, (c.writers+2)*c.fetch) // the rule of Options.MaxAckPending
	}
	store := newCountStore(w, n)
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
	go progress(db, n, c.progress, store.results, stop)
	before := readCPU(srv.pid())
	start := time.Now()
	go func() { ran <- in.Run(runCtx) }()
	select {
	case <-store.done:
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
