package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/probes/result"
)

// runCeiling measures the ceiling: the same points as line protocol,
// encoded beforehand, POSTed straight to InfluxDB with plain net/http by
// c.writers goroutines in requests of c.batch points, into the empty
// database db. No client library, no decoding, no JetStream: whatever the
// ingest adds on top shows up as the gap to this rate.
//
// cores > 0 makes it the shared phase: this process meanwhile burns that
// many cores' worth of CPU (burn), the share the ingest took in the same
// round, so the poster and influxd share the two cores as the ingest and
// influxd did, with nothing of the ingest's path left.
func runCeiling(ctx context.Context, c config, srv *influxServer, chunks []chunk, n int, db string, cores float64) (phase, error) {
	if _, err := srv.influxQL("", "CREATE DATABASE "+db); err != nil {
		return phase{}, err
	}
	q := url.Values{"bucket": {db + "/autogen"}, "precision": {"ns"}}
	endpoint := srv.url() + "/api/v2/write?" + q.Encode()
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: c.writers}}
	defer hc.CloseIdleConnections()

	var next, written atomic.Int64
	var firstErr error
	var once sync.Once
	stop := make(chan struct{})
	go progress(db, n, c.progress, func() int { return int(written.Load()) }, stop)
	// Besides: the shared phase burns the ingest's CPU in this process.
	burnStop := make(chan struct{})
	burn(cores, burnStop)
	before := readCPU(srv.pid())
	start := time.Now()
	var wg sync.WaitGroup
	for range c.writers {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(chunks) {
					return
				}
				if err := post(ctx, hc, endpoint, chunks[i].body); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				written.Add(int64(chunks[i].points))
			}
		})
	}
	wg.Wait()
	p := phase{n: n, d: time.Since(start), cpu: readCPU(srv.pid()).sub(before)}
	close(burnStop)
	close(stop)
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		return phase{}, fmt.Errorf("%s: %w", db, firstErr)
	}
	if err := checkCount(srv, db, n); err != nil {
		return phase{}, fmt.Errorf("%s: %w", db, err)
	}
	fmt.Printf("%s: %d points in %.2fs = %.0f points/s, CPU %s; count in InfluxDB verified\n",
		db, n, p.d.Seconds(), p.rate(), p.cpu)
	// Dropping the database ends its compactions before the next phase,
	// which then starts from the same empty state.
	_, err := srv.influxQL("", "DROP DATABASE "+db)
	return p, err
}

type chunk struct {
	body   []byte
	points int
}

// encodeChunks encodes every result with the store's encoder (so both
// phases write byte-identical points) into request bodies of size points,
// once, before any timing.
func encodeChunks(batches []*result.Batch, size int) ([]chunk, int, error) {
	var chunks []chunk
	var cur chunk
	var b influx.Batch
	n := 0
	for _, bt := range batches {
		for i := range bt.Results {
			b.Reset()
			if err := b.Add(bt.Agent, &bt.Results[i]); err != nil {
				return nil, 0, err
			}
			cur.body = append(append(cur.body, b.Line(0)...), '\n')
			cur.points++
			n++
			if cur.points == size {
				chunks = append(chunks, cur)
				cur = chunk{}
			}
		}
	}
	if cur.points > 0 {
		chunks = append(chunks, cur)
	}
	return chunks, n, nil
}

func post(ctx context.Context, hc *http.Client, endpoint string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("write: %s: %s", resp.Status, msg)
	}
	return nil
}
