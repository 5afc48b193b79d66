package main

import (
	"context"
	"fmt"
	"net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/vantage-net/vantage/controller/store/sqldb"
	"github.com/vantage-net/vantage/internal/fleetsim"
	"github.com/vantage-net/vantage/internal/testinflux"
	"github.com/vantage-net/vantage/internal/testpg"
)

// runBackend seeds a fresh database of the backend, starts the controller
// on it and times the API.
func runBackend(ctx context.Context, c config, backend string, sum *summary) error {
	dir, err := os.MkdirTemp("", "bench-api-")
	if err != nil {
		return err
	}
	if c.keep {
		fmt.Printf("work directory %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	root, err := testinflux.ModuleRoot()
	if err != nil {
		return err
	}
	bin, err := buildController(ctx, root, filepath.Join(dir, "bin"))
	if err != nil {
		return err
	}
	p, err := fleetsim.NewPlan(fleetsim.Config{Lines: c.lines, Duration: time.Minute, RateScale: 1, GroupedFailures: 2,
		SilentAgents: 1, SkewedAgents: 1, SilenceFor: 30 * time.Second, Quiet: 10 * time.Second, Seed: c.seed})
	if err != nil {
		return err
	}
	inv := filepath.Join(dir, "inventory.yaml")
	if err := p.WriteInventory(inv); err != nil {
		return err
	}
	dataDir := filepath.Join(dir, "data")
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return err
	}
	target, url := filepath.Join(dataDir, "vantage.db"), ""
	if backend == "postgres" {
		pg, err := testpg.Start()
		if err != nil {
			return err
		}
		defer pg.Stop()
		if _, url, err = pg.CreateDatabase(ctx, ""); err != nil {
			return err
		}
		target = url
	}
	t0 := time.Now()
	if _, err := admin(ctx, bin, target, "inventory import", inv); err != nil {
		return err
	}
	imported := time.Since(t0)
	db, err := sqldb.Open(ctx, target)
	if err != nil {
		return err
	}
	now := time.Now()
	s, err := seedData(ctx, db, c, p, now)
	db.Close()
	if err != nil {
		return err
	}
	ctl := &controller{}
	if ctl.admin, err = token(ctx, bin, target, "--name", "bench", "--role", "admin"); err != nil {
		return err
	}
	if ctl.am, err = token(ctx, bin, target, "--name", "bench-am", "--role", "account_manager", "--manager", manager); err != nil {
		return err
	}
	fmt.Printf("bench/api %s: %d lines, %d customers, %d agents; %d events over %d days (%d flaps, %d in the last 24 h, %d outages open), %d incidents (%d lines), %d complaints; account manager %s: %d customers, %d lines. Inventory imported in %v, the rest seeded in %v; %d cores, load %s\n",
		backend, len(s.lines), len(s.customers), len(p.Agents), s.events, c.days, s.flaps, s.eventsInLast24h, s.open, s.incidents, s.incLines, s.complaints,
		manager, s.managerCustomers, len(s.managerLines), imported.Round(time.Second), s.took.Round(time.Second), runtime.NumCPU(), loadavg())
	started, err := startController(ctx, bin, dir, dataDir, url)
	if err != nil {
		return err
	}
	defer started.stop()
	started.admin, started.am = ctl.admin, ctl.am
	cl := &client{base: started.api, http: &http.Client{Timeout: time.Minute}, ctlPID: started.cmd.Process.Pid}
	if url != "" {
		if u, err := neturl.Parse(url); err == nil {
			cl.dbPID = postmasterPID(u.Port())
		}
	}
	// One untimed walk first, so every figure is of a warm cache, as a
	// running controller's would be.
	if _, err := cl.walk(ctx, "warm-up", started.admin, "/api/v1/lines?limit=1000", "after", 1+c.lines/1000); err != nil {
		return err
	}
	fmt.Printf("%-62s %6s %9s %9s %9s %10s %8s %8s  %s\n", backend+": call", "calls", "p50", "p95", "max", "bytes/call",
		"ctl CPU", "db CPU", "load before → after")
	err = timeAll(ctx, cl, started, s, c, func(t *timing) {
		fmt.Printf("%-62s %6d %9v %9v %9v %10d %6.1fms %6.1fms  %s → %s\n", t.name, len(t.lat), t.pct(50).Round(10*time.Microsecond),
			t.pct(95).Round(10*time.Microsecond), t.pct(100).Round(10*time.Microsecond), t.bytes/max(1, len(t.lat)),
			t.cpuPerCall(t.ctlCPU), t.cpuPerCall(t.dbCPU), t.load0, t.load)
		sum.add(backend, t)
	})
	fmt.Printf("%s: controller RSS %d MB, load %s\n", backend, procKB(started.cmd.Process.Pid, "VmRSS")/1024, loadavg())
	if c.hold > 0 {
		fmt.Printf("holding for %v: database %s, API %s, admin token %s\n", c.hold, target, started.api, started.admin)
		select {
		case <-ctx.Done():
		case <-time.After(c.hold):
		}
	}
	return err
}

// procKB reads a field (VmRSS, VmHWM) of /proc/PID/status, in kB.
func procKB(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			var n int64
			fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(v), " kB"), &n)
			return n
		}
	}
	return 0
}
