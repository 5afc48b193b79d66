package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/vantage-net/vantage/controller/agentauth"
	"github.com/vantage-net/vantage/controller/store/sqlite"
	"github.com/vantage-net/vantage/internal/fleetsim"
)

type sample struct {
	at               time.Duration
	pending          float64
	ingested, rssMB  float64
	ctrlCPU, simLoad string
}

func run(ctx context.Context, c config, dir string, log *slog.Logger) error {
	sum := newSummary()
	defer sum.emit()
	p, err := fleetsim.NewPlan(fleetsim.Config{Lines: c.lines, Duration: c.duration, RateScale: c.rateScale,
		GroupedFailures: max(2, c.lines/5000), SilentAgents: max(1, c.lines/10000), SkewedAgents: max(1, c.lines/10000),
		SilenceFor: 30 * time.Second, Quiet: 10 * time.Second, Seed: c.seed})
	if err != nil {
		return err
	}
	inv := filepath.Join(dir, "inventory.yaml")
	if err := p.WriteInventory(inv); err != nil {
		return err
	}
	ids := make([]string, len(p.Lines))
	for i, l := range p.Lines {
		ids[i] = l.ID
	}
	var seeded int
	var seedTook time.Duration
	seedHist := func(db string) error {
		if c.historyDays <= 0 || c.historyPerLine <= 0 {
			return nil
		}
		t := time.Now()
		n, err := seedHistory(ctx, db, ids, c.historyDays, c.historyPerLine, c.seed)
		seeded, seedTook = n, time.Since(t)
		return err
	}
	s, err := startStack(ctx, dir, inv, c.horizon, c.profileArgs(), seedHist)
	defer s.stop()
	if err != nil {
		return err
	}
	if c.influxNice != 0 {
		n, err := reniceThreads(s.influxPID(), c.influxNice)
		if err != nil {
			return fmt.Errorf("-influx-nice: %w", err)
		}
		fmt.Printf("influxd: %d threads at nice %d\n", n, c.influxNice)
	}
	pw, err := issue(ctx, s.db, p)
	if err != nil {
		return err
	}
	pid := s.ctrl.Process.Pid
	flaps, outages := p.Truth.Counts()
	fmt.Printf("bench/sim: %d lines, %d agents, %v, rate ×%g: %d flaps, %d outages, %d grouped failures; %d cores, load %s\n",
		len(p.Lines), len(p.Agents), c.duration, c.rateScale, flaps, outages, len(p.Truth.Groups), runtime.NumCPU(), loadavg())
	if seeded > 0 {
		fmt.Printf("history: %d past flaps and outages seeded over %d days (none in the last 25 h) in %v\n", seeded, c.historyDays, seedTook.Round(time.Second))
	}
	// apiFigures times the calls over the history and prints them.
	apiFigures := func(lat map[string][]time.Duration) error {
		if seeded > 0 {
			if err := timeHistoryCalls(ctx, s.api, s.token, ids, 500, c.seed, lat); err != nil {
				return err
			}
		}
		sum.api(lat)
		for _, k := range []string{"detail", "list", "incidents", "detail-30d", "list-100"} {
			if len(lat[k]) > 0 {
				fmt.Printf("API %-10s %6d calls  p50 %v  p95 %v  max %v\n", k, len(lat[k]), pct(lat[k], 50), pct(lat[k], 95), pct(lat[k], 100))
			}
		}
		return nil
	}
	if c.apiOnly {
		fmt.Printf("API only (no simulation): controller RSS %.0f MB, load %s\n", float64(procKB(pid, "VmRSS"))/1024, loadavg())
		lat := map[string][]time.Duration{}
		if err := timeListPages(ctx, s.api, s.token, lat); err != nil {
			return err
		}
		return apiFigures(lat)
	}

	var st *fleetsim.Stats
	var runErr error
	var wg sync.WaitGroup
	wg.Add(1)
	statsReady := make(chan struct{})
	go func() {
		defer wg.Done()
		st, runErr = p.Run(ctx, fleetsim.RunOptions{URL: s.natsURL, Passwords: pw, Logger: log,
			Started: func(time.Time) { close(statsReady) }})
	}()
	<-statsReady
	t0 := time.Now()
	cpu0 := cpuSeconds(pid)
	ipid := s.influxPID()
	icpu0, self0 := cpuSeconds(ipid), selfCPU()
	var samples []sample
	var maxQueue float64
	tick := time.NewTicker(10 * time.Second)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
loop:
	for {
		select {
		case <-done:
			break loop
		case <-ctx.Done():
			<-done
			return ctx.Err()
		case <-tick.C:
			pend, _ := metric(ctx, s.api, s.token, "vantage_controller_ingest_pending_messages")
			ing, _ := metric(ctx, s.api, s.token, "vantage_controller_results_ingested_total")
			// InfluxDB's lag behind line health: points in the write-behind
			// queue (controller/writebehind) and the oldest one's wait.
			qp, _ := metric(ctx, s.api, s.token, "vantage_controller_influx_queue_points")
			qa, _ := metric(ctx, s.api, s.token, "vantage_controller_influx_queue_age_seconds")
			qs, _ := metric(ctx, s.api, s.token, "vantage_controller_influx_queue_append_seconds_sum")
			maxQueue = max(maxQueue, qp)
			fmt.Printf("  %5v  InfluxDB queue %9.0f points, oldest %4.0f s; %.1f s spent appending so far\n", time.Since(t0).Round(time.Second), qp, qa, qs)
			sm := sample{at: time.Since(t0).Round(time.Second), pending: pend, ingested: ing, rssMB: float64(procKB(pid, "VmRSS")) / 1024,
				ctrlCPU: fmt.Sprintf("%.0f%%", 100*(cpuSeconds(pid)-cpu0)/time.Since(t0).Seconds()), simLoad: loadavg()}
			samples = append(samples, sm)
			fmt.Printf("  %5v  pending %6.0f msgs  ingested %9.0f results (%6.0f/s)  controller RSS %5.0f MB  CPU %s (influxd %.0f%%, sim %.0f%%)  load %s\n",
				sm.at, sm.pending, sm.ingested, sm.ingested/time.Since(t0).Seconds(), sm.rssMB, sm.ctrlCPU,
				100*(cpuSeconds(ipid)-icpu0)/time.Since(t0).Seconds(), 100*(selfCPU()-self0)/time.Since(t0).Seconds(), sm.simLoad)
		}
	}
	tick.Stop()
	// Lag bounded and not growing: the largest backlog in each half of the run.
	var half [2]float64
	for i, sm := range samples {
		h := min(1, 2*i/max(1, len(samples)))
		half[h] = max(half[h], sm.pending)
	}
	fmt.Printf("ingest backlog (pending messages): max %.0f in the first half, %.0f in the second; InfluxDB write-behind queue: max %.0f points\n", half[0], half[1], maxQueue)
	if runErr != nil {
		return fmt.Errorf("simulator: %w", runErr)
	}
	pubAt := time.Since(t0)
	ingEnd, _ := metric(ctx, s.api, s.token, "vantage_controller_results_ingested_total")
	sum.throughput(float64(st.Results.Load())/c.duration.Seconds(), ingEnd/pubAt.Seconds())
	sum.backlog(half[0], half[1])
	fmt.Printf("simulator: %d results, %d published in %v (%.0f/s offered)\n", st.Results.Load(), st.Published.Load(), pubAt.Round(time.Second),
		float64(st.Results.Load())/c.duration.Seconds())
	// Catch-up: how long until the controller has ingested everything.
	want := float64(st.Published.Load())
	catch := time.Now()
	for {
		ing, err := metric(ctx, s.api, s.token, "vantage_controller_results_ingested_total")
		if err == nil && ing >= want {
			break
		}
		if time.Since(catch) > c.catchUp || ctx.Err() != nil {
			fmt.Printf("ingest did NOT catch up: %.0f of %.0f results %v after the last was published; controller peak RSS %.0f MB\n",
				ing, want, c.catchUp, float64(procKB(pid, "VmHWM"))/1024)
			sum.memory(float64(procKB(pid, "VmHWM")) / 1024)
			sum.cpu(ing, cpuSeconds(pid)-cpu0, cpuSeconds(ipid)-icpu0)
			if err := apiFigures(map[string][]time.Duration{}); err != nil {
				return err
			}
			return fmt.Errorf("ingest behind")
		}
		time.Sleep(2 * time.Second) // polling to a deadline
	}
	wsum, _ := metric(ctx, s.api, s.token, "vantage_controller_ingest_write_points_sum")
	wcnt, _ := metric(ctx, s.api, s.token, "vantage_controller_ingest_write_points_count")
	fsum, _ := metric(ctx, s.api, s.token, "vantage_controller_ingest_fetch_messages_sum")
	fcnt, _ := metric(ctx, s.api, s.token, "vantage_controller_ingest_fetch_messages_count")
	fmt.Printf("ingest: %.0f writes of %.0f points on average, %.0f pulls of %.1f messages\n", wcnt, wsum/max(1, wcnt), fcnt, fsum/max(1, fcnt))
	qsum, _ := metric(ctx, s.api, s.token, "vantage_controller_influx_queue_write_points_sum")
	qcnt, _ := metric(ctx, s.api, s.token, "vantage_controller_influx_queue_write_points_count")
	asum, _ := metric(ctx, s.api, s.token, "vantage_controller_influx_queue_append_seconds_sum")
	acnt, _ := metric(ctx, s.api, s.token, "vantage_controller_influx_queue_append_seconds_count")
	fmt.Printf("InfluxDB queue: %.0f drain rounds of %.0f points on average so far; %.0f appends, %.2f ms on average\n",
		qcnt, qsum/max(1, qcnt), acnt, 1000*asum/max(1, acnt))
	sum.memory(float64(procKB(pid, "VmHWM")) / 1024)
	sum.cpu(want, cpuSeconds(pid)-cpu0, cpuSeconds(ipid)-icpu0)
	fmt.Printf("ingest caught up %v after the last result was published; CPU over the run: controller %.0f s, influxd %.0f s, simulator %.0f s; controller peak RSS %.0f MB\n",
		time.Since(catch).Round(time.Second), cpuSeconds(pid)-cpu0, cpuSeconds(ipid)-icpu0, selfCPU()-self0, float64(procKB(pid, "VmHWM"))/1024)

	// Final events: the horizon after the last event, then check.
	var lat = map[string][]time.Duration{}
	api := &fleetsim.API{Base: s.api, Token: s.token, Latency: func(k string, d time.Duration) { lat[k] = append(lat[k], d) }}
	var rep *fleetsim.Report
	deadline := time.Now().Add(c.horizon + c.catchUp)
	for {
		lat = map[string][]time.Duration{}
		rep, err = fleetsim.Check(ctx, api, &p.Truth)
		if err != nil {
			return err
		}
		if rep.Pending == 0 || time.Now().After(deadline) {
			break
		}
		fmt.Printf("  %d lines not final yet\n", rep.Pending)
		time.Sleep(10 * time.Second) // polling to a deadline
	}
	rep.Write(&limitWriter{n: 40})
	sum.counts(rep.MatchedEvents, rep.Flaps+rep.Outages, rep.MatchedGroups, rep.Groups)
	if err := apiFigures(lat); err != nil {
		return err
	}
	if !rep.OK() {
		return fmt.Errorf("controller differs from the ground truth")
	}
	return nil
}

func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := min(len(s)-1, (len(s)*p+99)/100-1)
	return s[max(0, i)].Round(100 * time.Microsecond)
}

func issue(ctx context.Context, path string, p *fleetsim.Plan) (map[string]string, error) {
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	store := agentauth.NewStore(db)
	out := map[string]string{}
	for _, a := range p.Agents {
		iss, err := store.Add(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		out[a.ID] = iss.Password
	}
	return out, nil
}

// profileArgs are the controller's profiling flags asked for on the command line.
func (c *config) profileArgs() []string {
	var args []string
	if c.cpuprofile != "" {
		args = append(args, "--cpuprofile", c.cpuprofile)
	}
	if c.heapprofile != "" {
		args = append(args, "--heapprofile", c.heapprofile)
	}
	return args
}
