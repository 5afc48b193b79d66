package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/store/sqlite"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testinflux"
)

// durableLine is the line the durability test flaps, watched by the
// agent of its site.
const (
	durableLine      = "L-FLAP"
	durableInventory = `customers:
  - {id: C1, name: Corner Bakery, tier: silver}
sites:
  - {id: S1, customer: C1, kind: cpe, name: Bakery, agent: durable-cpe-1}
lines:
  - {circuit_id: L-FLAP, customer: C1, a_end_site: S1}
`
)

// Fault test 6: line-health outputs survive a dead InfluxDB and a SIGKILL.
//
// Flap 1 happens with InfluxDB up; InfluxDB dies right after, so its event
// is sealed (one horizon later) while InfluxDB is down: it must reach the
// database and the API at once, its line_event point wait in the point
// queue. Flaps 2 and 3 happen while InfluxDB is down: the ingest must not
// stall on it, so line health sees them live (the line goes down in the
// API during each flap) while their raw results wait in JetStream (the
// ingest acks a result only once InfluxDB has it). Then the controller is
// SIGKILLed, between two snapshots, and restarted; with InfluxDB still
// down, the restarted controller must finish flaps 2 and 3 (their events
// in the API), its line-health metrics move while results_ingested stays
// 0, and /healthz report InfluxDB. Then InfluxDB comes back. Every flap
// must end up exactly once in SQLite, in the API and in InfluxDB, and
// every result the agent published exactly once in InfluxDB.
//
// With the write-behind queue (the default, controller/writebehind) the
// results of flaps 2 and 3 are acked into the queue on disk instead of
// waiting in JetStream: the SIGKILL must lose none of them (the restarted
// controller's queue holds at least what the killed one's did) and none
// may be written twice.
func TestFaultInfluxDownControllerKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("fault test")
	}
	t.Parallel()
	influxDownControllerKilled(t, true)
}

// TestFaultInfluxDownControllerKilledNoQueue is the same with
// influx_queue.enabled false: the results wait in JetStream (nak with
// backoff, controller/ingest/outage.go).
func TestFaultInfluxDownControllerKilledNoQueue(t *testing.T) {
	if testing.Short() {
		t.Skip("fault test")
	}
	t.Parallel()
	influxDownControllerKilled(t, false)
}

func influxDownControllerKilled(t *testing.T, queue bool) {
	bin := buildBinary(t, "vantage-controller")
	influx := testinflux.Start(t)
	dataDir := t.TempDir()
	importInventory(t, dataDir, durableInventory)
	natsPort, httpPort := lab.FreePort(t), lab.FreePort(t)
	// k 2 at 1 s: a line is down after 2 s of failures; 3 s down is a
	// flap (flap_threshold 60 s). The 40-s horizon outlasts the time flaps
	// 2 and 3 wait in JetStream (kill, restart, InfluxDB back). No snapshot
	// is due before the kill (snapshot_interval 10m): the restart must
	// rebuild from what was committed after the start's snapshot.
	cfgFile := writeControllerConfig(t, fmt.Sprintf(`http_listen: 127.0.0.1:%d
data_dir: %s
api_auth: false
nats: {listen: "127.0.0.1:%d", agent_auth: false}
influx: {url: %s, bucket: %s, request_timeout: 2s}
ingest: {fetch_batch: 50, max_ack_pending: 500, ack_wait: 10s}
detector: {k: 2, horizon: 40s, snapshot_interval: 10m}
influx_queue: {enabled: %t}
`, httpPort, dataDir, natsPort, influx.URL, influx.Bucket, queue))
	ctrl := startDurableController(t, bin, cfgFile)
	api := fmt.Sprintf("http://127.0.0.1:%d", httpPort)

	farURL, down := farEnd(t)
	a, agentReg := newAgent(t, fmt.Sprintf(`agent_id: durable-cpe-1
site: {id: S1}
http_listen: 127.0.0.1:0
nats: {urls: [nats://127.0.0.1:%d], publish_timeout: 2s}
publish: {batch_delay: 100ms}
spool: {dir: %s, fsync: always}
probes:
  - name: portal
    type: http
    interval: 1s
    timeout: 800ms
    labels: {line: %s}
    targets: [%s/]
`, natsPort, t.TempDir(), durableLine, farURL))
	stopAgent := sync.OnceFunc(runAgent(t, a))
	t.Cleanup(stopAgent)

	ctx := lab.Deadline(t, 5*time.Minute)
	state := func(want string) {
		t.Helper()
		lab.WaitFor(t, ctx, 100*time.Millisecond, func() error {
			var l struct{ State string }
			if err := getAPI(ctx, api, "/api/v1/lines/"+durableLine, &l); err != nil {
				return err
			}
			if l.State != want {
				return fmt.Errorf("line is %q, want %q", l.State, want)
			}
			return nil
		})
	}
	flap := func() {
		t.Helper()
		down.Store(true)
		time.Sleep(3 * time.Second) // the flap's length, not a wait for a result
		down.Store(false)
	}
	// flapSeen is a flap that line health must see live: the line goes
	// down in the API while the far end hangs (k 2 at 1 s: after about
	// 2 s), whether or not InfluxDB is up. The probe's 800-ms timeout
	// leaves a loaded CI machine room: at 300 ms a CI run at load ~10 saw
	// a 1-s flap the test never caused (two failed probes in a row, most
	// likely slow answers from the local far end).
	flapSeen := func() {
		t.Helper()
		start := time.Now()
		down.Store(true)
		seen, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		lab.WaitFor(t, seen, 100*time.Millisecond, func() error {
			var l struct{ State string }
			if err := getAPI(ctx, api, "/api/v1/lines/"+durableLine, &l); err != nil {
				return err
			}
			if l.State != "down" {
				return fmt.Errorf("line is %q during a flap with InfluxDB down, want \"down\": the ingest stalls on InfluxDB", l.State)
			}
			return nil
		})
		time.Sleep(time.Until(start.Add(3 * time.Second))) // the flap's length
		down.Store(false)
	}
	state("up")

	// Flap 1, seen live; then InfluxDB dies before the flap is final.
	flap()
	state("up")
	influx.Kill()
	t.Log("InfluxDB killed")
	lab.WaitFor(t, ctx, 250*time.Millisecond, func() error {
		evs, err := apiEvents(ctx, api)
		if err != nil || len(evs) != 1 || !evs[0].Final {
			return fmt.Errorf("API lists events %+v (%v), want flap 1, final, while InfluxDB is down", evs, err)
		}
		return nil
	})
	if q := scrapeMetric(t, api, "vantage_controller_shipper_queue_points"); q == 0 {
		t.Error("flap 1's event is stored but no point waits for InfluxDB")
	}

	// Flaps 2 and 3 while InfluxDB is down, each seen live, then SIGKILL
	// and a restart.
	accepted := scrapeMetric(t, api, "vantage_controller_line_evidence_accepted_total")
	flapSeen()
	time.Sleep(4 * time.Second) // up between the flaps: two flaps, not one long one
	flapSeen()
	time.Sleep(2 * time.Second)
	if got := scrapeMetric(t, api, "vantage_controller_line_evidence_accepted_total"); got <= accepted {
		t.Errorf("line evidence accepted %v before flaps 2 and 3, %v after: line health saw nothing while InfluxDB was down", accepted, got)
	}
	deferred := scrapeMetric(t, api, `vantage_controller_ingest_deferred_total{reason="influx_unavailable"}`)
	var queued float64
	if queue {
		// Acked into the queue, none handed back to JetStream.
		queued = scrapeMetric(t, api, "vantage_controller_influx_queue_points")
		if queued == 0 || deferred != 0 {
			t.Errorf("with InfluxDB down: %v points in the write-behind queue, %v messages deferred; want some, none", queued, deferred)
		}
	} else if deferred == 0 {
		t.Error("no message deferred while InfluxDB is down")
	}
	if err := ctrl.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = ctrl.Wait()
	t.Log("controller killed with SIGKILL while InfluxDB is down")
	startDurableController(t, bin, cfgFile)
	lab.WaitFor(t, ctx, 250*time.Millisecond, func() error {
		evs, err := apiEvents(ctx, api)
		if err != nil || len(evs) == 0 {
			return fmt.Errorf("restarted controller lists %d events (%v), want flap 1", len(evs), err)
		}
		return nil
	})
	// Still without InfluxDB: flaps 2 and 3 become final (one horizon
	// after them) and listed, line health keeps taking evidence, nothing
	// is written to InfluxDB, and /healthz says why.
	accepted = scrapeMetric(t, api, "vantage_controller_line_evidence_accepted_total")
	lab.WaitFor(t, ctx, 500*time.Millisecond, func() error {
		evs, err := apiEvents(ctx, api)
		if err != nil || len(evs) != 3 {
			return fmt.Errorf("restarted controller lists %d events %+v (%v) with InfluxDB down, want all 3 flaps", len(evs), evs, err)
		}
		if code, body := getHealthz(ctx, api); code == http.StatusOK || !strings.Contains(body, "InfluxDB") {
			return fmt.Errorf("/healthz answers %d %q with InfluxDB down", code, body)
		}
		return nil
	})
	if got := scrapeMetric(t, api, "vantage_controller_line_evidence_accepted_total"); got <= accepted {
		t.Errorf("line evidence accepted stayed at %v with InfluxDB down", got)
	}
	if got := scrapeMetric(t, api, "vantage_controller_results_ingested_total"); !queue && got != 0 {
		t.Errorf("results ingested = %v with InfluxDB down, want 0", got)
	}
	if queue {
		if got := scrapeMetric(t, api, "vantage_controller_influx_queue_points"); got < queued {
			t.Errorf("the write-behind queue held %v points before the SIGKILL, %v after the restart: acked results lost", queued, got)
		}
	}
	influx.Restart()
	t.Log("InfluxDB back")

	// Every flap once: in SQLite, in the API, in InfluxDB, at the same start.
	var starts []int64
	lab.WaitFor(t, ctx, time.Second, func() error {
		stored, err := storedFlaps(ctx, filepath.Join(dataDir, sqlite.DefaultName))
		if err != nil {
			return err
		}
		evs, err := apiEvents(ctx, api)
		if err != nil {
			return err
		}
		var listed []int64
		for _, e := range evs {
			if !e.Final {
				return fmt.Errorf("event %+v not final yet", e)
			}
			listed = append(listed, e.Start.UnixMilli())
		}
		slices.Sort(listed)
		points, err := influx.Points(ctx, "line_event")
		if err != nil {
			return err
		}
		var shipped []int64
		for _, p := range points {
			if p["line"] == durableLine {
				v, _ := p["started_unix"].(float64)
				shipped = append(shipped, int64(v*1000+0.5))
			}
		}
		slices.Sort(shipped)
		if len(stored) != 3 || !slices.Equal(stored, listed) || !slices.Equal(stored, shipped) {
			return fmt.Errorf("flap starts (Unix ms): SQLite %v, API %v, InfluxDB %v; want the same 3 in each", stored, listed, shipped)
		}
		starts = stored
		return nil
	})
	t.Logf("3 flaps, each once in SQLite, the API and InfluxDB: %v", starts)

	// Every result the agent published, held in JetStream through the
	// outage and the kill, is in InfluxDB exactly once.
	waitDrained(t, a)
	stopAgent()
	published := counter(t, agentReg, "vantage_agent_results_published_total")
	waitPoints(t, influx, []string{"http"}, published)
}

type durableEvent struct {
	ID        int64      `json:"id"`
	Kind      string     `json:"kind"`
	Start     time.Time  `json:"start"`
	End       *time.Time `json:"end"`
	Final     bool       `json:"final"` // false while live (before the horizon)
	Retracted *time.Time `json:"retracted"`
}

func apiEvents(ctx context.Context, api string) ([]durableEvent, error) {
	var d struct{ Events []durableEvent }
	if err := getAPI(ctx, api, "/api/v1/lines/"+durableLine, &d); err != nil {
		return nil, err
	}
	return d.Events, nil
}

// storedFlaps reads the line's event starts from the controller's database
// (a second reader beside the running controller; WAL allows it).
func storedFlaps(ctx context.Context, path string) ([]int64, error) {
	return storedEventStarts(ctx, path, durableLine)
}

// storedEventStarts reads line's event starts, as storedFlaps.
func storedEventStarts(ctx context.Context, path, line string) ([]int64, error) {
	db, err := sqlite.Open(ctx, path, sqlite.Options{NoMigrate: true})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT started_at FROM line_events WHERE circuit_id = ? ORDER BY started_at`, line)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var s int64
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// scrapeMetric reads one unlabelled metric from the controller's /metrics.
func scrapeMetric(t *testing.T, api, name string) float64 {
	t.Helper()
	resp, err := http.Get(api + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	t.Fatalf("metric %s not exported", name)
	return 0
}
