package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/linehealth"
	"github.com/vantage-net/vantage/controller/shipper"
	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/internal/testpg"
)

// discard is the shipper's InfluxDB: it takes every point (InfluxDB's
// cost is bench/ingest's; the queue's rows in PostgreSQL are this one's).
type discard struct{}

func (discard) Write(context.Context, *influx.Batch) ([]influx.Rejected, error) { return nil, nil }

// result is one run's figures.
type runResult struct {
	a, b      pgSample
	ta, tb    map[string]int64 // rows per table at a and b
	jRows     int64            // journal rows left at the end, their mean stored and raw bytes
	jStored   float64
	jRaw      float64
	results   int64
	flushes   []time.Duration // every commit in the window
	lag       time.Duration   // how far the slowest partition ended behind its schedule
	failed    int64           // Flush errors (the worker would retry)
	version   string
	load      string
	partLines []int
}

func run(ctx context.Context, c config) (*runResult, error) {
	start := testpg.StartDurable
	if c.fast {
		start = testpg.Start
	}
	cl, err := start()
	if err != nil {
		return nil, err
	}
	defer cl.Stop()
	_, url, err := cl.CreateDatabase(ctx, "")
	if err != nil {
		return nil, err
	}
	inv, db, err := inventory.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	fl := newFleet(c)
	set, err := inventory.ParseYAML("pgjournal.yaml", []byte(fl.yaml))
	if err != nil {
		return nil, err
	}
	if _, err := inv.Import(ctx, set, inventory.ImportOptions{}); err != nil {
		return nil, err
	}
	pm, err := postmasterPID(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("postmaster pid: %w", err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	shp, err := shipper.New(ctx, shipper.Options{DB: db, Points: discard{}}, log, nil)
	if err != nil {
		return nil, err
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var bg sync.WaitGroup
	bg.Add(1)
	go func() { defer bg.Done(); _ = shp.Run(rctx) }()
	whole, err := linehealth.LoadInventory(ctx, inv)
	if err != nil {
		return nil, err
	}
	r := &runResult{partLines: make([]int, c.parts)}
	_ = db.QueryRowContext(ctx, "SHOW server_version").Scan(&r.version)
	mons := make([]*linehealth.Monitor, c.parts)
	for p := range c.parts {
		pop := func(line string) int { s, _ := whole.PoP(line); return partOf(s, c.parts) }
		o := linehealth.Options{DB: db, Inventory: inv, Shipper: shp, SnapshotEvery: c.snapshot,
			Partition: &linehealth.Partition{Name: fmt.Sprintf("p%d", p), Owner: "pgjournal",
				Owns: func(l string) bool { return pop(l) == p }, Inventory: func() *linehealth.Inventory { return whole }}}
		if mons[p], err = linehealth.New(ctx, o, log, nil); err != nil {
			return nil, fmt.Errorf("partition %d: %w", p, err)
		}
		bg.Add(1)
		go func(m *linehealth.Monitor) { defer bg.Done(); _ = m.Run(rctx) }(mons[p])
		for _, byAgent := range fl.slots[p] {
			for _, rs := range byAgent {
				r.partLines[p] += len(rs)
			}
		}
	}
	begin := time.Now()
	measureFrom, end := begin.Add(c.warmup), begin.Add(c.warmup+c.duration)
	var mu sync.Mutex
	var wg sync.WaitGroup
	sampled := make(chan struct{})
	go func() {
		// The window's first sample, once the warm-up is over.
		defer close(sampled)
		select {
		case <-time.After(time.Until(measureFrom)):
		case <-ctx.Done():
			return
		}
		s, err := sample(ctx, db, pm)
		ta, terr := tableRows(ctx, db)
		mu.Lock()
		r.a, r.ta = s, ta
		mu.Unlock()
		if err == nil {
			err = terr
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench/pgjournal: first sample:", err)
		}
	}()
	for p := range c.parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			partition(ctx, c, fl, p, mons[p], begin, measureFrom, end, r, &mu)
		}()
	}
	wg.Wait()
	<-sampled
	if r.b, err = sample(context.Background(), db, pm); err != nil {
		return nil, err
	}
	r.load = loadavg()
	if r.tb, err = tableRows(context.Background(), db); err != nil {
		return nil, err
	}
	if r.jRows, r.jStored, r.jRaw, err = journalSize(context.Background(), db); err != nil {
		return nil, err
	}
	cancel()
	bg.Wait()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if r.a.at.IsZero() {
		return nil, errors.New("no first sample")
	}
	return r, nil
}

// partition feeds one Monitor on its schedule: slot k of every second
// stages that slot's results per agent and commits them, as a pull does.
// A commit slower than the pull period makes it fall behind; the lag
// says by how much at the end.
func partition(ctx context.Context, c config, fl *fleet, p int, m *linehealth.Monitor, begin, from, end time.Time, r *runResult, mu *sync.Mutex) {
	slots := fl.slots[p]
	rnd := rand.New(rand.NewPCG(uint64(p), 16))
	next := begin
	for k := 0; ; k++ {
		if d := time.Until(next); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return
			}
		}
		if !next.Before(end) || ctx.Err() != nil {
			mu.Lock()
			r.lag = max(r.lag, time.Since(end))
			mu.Unlock()
			return
		}
		n := 0
		for agent, rs := range slots[k%len(slots)] {
			fl.stamp(rs, next, rnd)
			_ = m.Stage(ctx, agent, rs)
			n += len(rs)
		}
		t0 := time.Now()
		err := m.Flush(ctx)
		took := time.Since(t0)
		if !next.Before(from) {
			mu.Lock()
			r.results += int64(n)
			r.flushes = append(r.flushes, took)
			if err != nil {
				r.failed++
			}
			mu.Unlock()
		}
		next = next.Add(c.pull)
	}
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	return string(slices.Clip(b))
}
