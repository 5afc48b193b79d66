package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/controller"
	"github.com/vantage-net/vantage/controller/agentauth"
	ctrlconfig "github.com/vantage-net/vantage/controller/config"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/logbuf"
	"github.com/vantage-net/vantage/internal/testinflux"
	"github.com/vantage-net/vantage/probes/result"
)

// guardInventory: customer C1's site runs agent cpe-c1, customer C2's
// diamond line starts at a site of its own with agent cpe-c2.
const guardInventory = `customers:
  - {id: C1, name: Corner Bakery, tier: silver}
  - {id: C2, name: Riverside Securities, tier: diamond}
sites:
  - {id: S1, customer: C1, kind: cpe, name: Bakery, agent: cpe-c1}
  - {id: S2, customer: C2, kind: cpe, name: Trading floor, agent: cpe-c2}
lines:
  - {circuit_id: L-C1, customer: C1, a_end_site: S1}
  - {circuit_id: L-C2-DIAMOND, customer: C2, a_end_site: S2}
`

// TestStolenAgentCredentials (issue 10, attacks 3, 4, 5, 7): an attacker
// holding the real credentials of cpe-c1 (from `agent add`), against the
// real controller with its embedded NATS server (agent_auth on) and
// InfluxDB 1.8.10, publishes on cpe-c1's own subjects:
//
//   - failed pings labelled with C2's diamond line, next to the same for
//     its own line: only its own line gets an incident; C2's line gets no
//     incident, no line_state and no line_event;
//   - line_state, line_event and agent points: dead-lettered as
//     forbidden_measurement, none in InfluxDB;
//   - impossible values and a timestamp from the year 2000: refused,
//     naming the field;
//   - 15,000 invented line tags: stored as measurements, never tracked by
//     line health, absent from /api/v1/lines;
//   - a 900 KB version in a heartbeat: cut before it is logged or kept.
func TestStolenAgentCredentials(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	t.Parallel()
	influx := testinflux.Start(t)
	dataDir := t.TempDir()
	dbPath := filepath.Join(dataDir, "vantage.db")
	importInventory(t, dataDir, guardInventory)
	cred := issueCredentials(t, dbPath, "cpe-c1")["cpe-c1"]

	port := lab.FreePort(t)
	logs := &logbuf.Buffer{}
	cfg, err := ctrlconfig.Parse("controller.yaml", []byte(fmt.Sprintf(`http_listen: 127.0.0.1:0
data_dir: %s
nats: {listen: "127.0.0.1:%d", agent_auth: true}
influx: {url: %s, bucket: %s, request_timeout: 5s}
ingest: {fetch_batch: 50, max_ack_pending: 500, ack_wait: 10s}
detector: {k: 2, horizon: 3s, snapshot_interval: 2s}
`, dataDir, port, influx.URL, influx.Bucket)))
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	ctrl, err := controller.New(controller.Options{Config: cfg, Registry: reg, Version: "test",
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ctrl.Run(runCtx) }()
	t.Cleanup(func() {
		stop()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("controller did not stop within 30s")
		}
	})
	token := createToken(t, dbPath, "--name", "e2e-guard", "--role", "admin")
	ctx := lab.Deadline(t, 150*time.Second)

	// The attacker: cpe-c1's credentials, raw NATS, its own subjects.
	nc, err := nats.Connect(fmt.Sprintf("nats://127.0.0.1:%d", port), nats.UserInfo("cpe-c1", cred.Password),
		nats.CustomInboxPrefix(agentauth.InboxPrefix("cpe-c1")),
		nats.MaxReconnects(-1), nats.RetryOnFailedConnect(true))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	published := 0
	publish := func(rs []result.Result) {
		t.Helper()
		published++
		data, err := result.Encode(&result.Batch{Agent: "cpe-c1", Results: rs})
		if err != nil {
			t.Fatal(err)
		}
		lab.WaitFor(t, ctx, 200*time.Millisecond, func() error { // the stream exists once the ingest ran
			_, err := js.Publish(ctx, "vantage.results.cpe-c1", data)
			return err
		})
	}
	ping := func(at time.Time, line string, recv float64) result.Result {
		return result.Result{Time: at, Measurement: "ping", Probe: "pop",
			Tags:   map[string]string{"target": "198.18.0.1", "line": line},
			Fields: map[string]float64{"sent": 3, "recv": recv, "loss_pct": 100 - recv/3*100}}
	}

	// Attack 3: its own line and C2's diamond line, up for 2 s, then down.
	start := time.Now()
	lab.WaitFor(t, ctx, 300*time.Millisecond, func() error {
		now := time.Now()
		recv := 3.0
		if now.Sub(start) > 2*time.Second {
			recv = 0
		}
		publish([]result.Result{ping(now, "L-C1", recv), ping(now, "L-C2-DIAMOND", recv)})
		var body struct{ Incidents []apiIncident }
		if err := getJSONAs(ctx, ctrl, token, "/api/v1/incidents?state=open", &body); err != nil {
			return err
		}
		if len(body.Incidents) == 0 {
			return fmt.Errorf("no incident yet for cpe-c1's own line L-C1")
		}
		return nil
	})
	forged := []result.Result{
		{Time: time.Now(), Measurement: "line_state", Tags: map[string]string{"line": "L-C2-DIAMOND", "customer": "C2"},
			Fields: map[string]float64{"up": 0}},
		{Time: time.Now(), Measurement: "line_event", Tags: map[string]string{"line": "L-C2-DIAMOND", "customer": "C2", "kind": "outage"},
			Fields: map[string]float64{"duration_s": 600, "loss_pct": 100, "started_unix": float64(time.Now().Unix() - 600)}},
		{Time: time.Now(), Measurement: "agent", Tags: map[string]string{"site": "S2"},
			Fields: map[string]float64{"up": 1}, Text: map[string]string{"version": "forged-9.9"}},
	}
	// Attack 7: impossible values, each in a result of its own.
	impossible := []result.Result{
		{Time: time.Now(), Measurement: "ping", Tags: map[string]string{"target": "198.18.0.9"}, Fields: map[string]float64{"loss_pct": -5}},
		{Time: time.Now(), Measurement: "ping", Tags: map[string]string{"target": "198.18.0.9"}, Fields: map[string]float64{"sent": -3}},
		{Time: time.Now(), Measurement: "ping", Tags: map[string]string{"target": "198.18.0.9"}, Fields: map[string]float64{"rtt_avg_ms": 1.7e308}},
		{Time: time.Now(), Measurement: "http", Tags: map[string]string{"target": "http://198.18.0.9/"}, Fields: map[string]float64{"status": -999999}},
		{Time: time.Date(2000, 1, 2, 0, 0, 0, 0, time.UTC), Measurement: "ping", Tags: map[string]string{"target": "198.18.0.9"}, Fields: map[string]float64{"sent": 1, "recv": 1}},
	}
	publish(append(forged, impossible...))

	// Attack 5: a 900 KB version in a heartbeat on its own subject.
	hb, _ := json.Marshal(result.Heartbeat{Agent: "cpe-c1", Site: "S1", Version: strings.Repeat("9", 900_000), Time: time.Now(), IntervalS: 10})
	if err := nc.Publish("vantage.heartbeat.cpe-c1", hb); err != nil {
		t.Fatal(err)
	}

	// Attack 4: 15,000 invented lines, in batches of 500 as an agent sends.
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	base := time.Now().Add(-time.Minute)
	for b := range 30 {
		rs := make([]result.Result, 0, 500)
		for i := range 500 {
			n := b*500 + i
			rs = append(rs, result.Result{Time: base.Add(time.Duration(n) * time.Millisecond), Measurement: "ping", Probe: "pop",
				Tags:   map[string]string{"target": fmt.Sprintf("198.18.%d.%d", n/250, n%250+1), "line": fmt.Sprintf("L-FAKE-%05d", n)},
				Fields: map[string]float64{"sent": 3, "recv": 0, "loss_pct": 100}})
		}
		publish(rs)
	}

	metric := func(name string, labels ...string) float64 {
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() != name {
				continue
			}
			for _, m := range mf.GetMetric() {
				ok := true
				for i := 0; i+1 < len(labels); i += 2 {
					match := false
					for _, lp := range m.GetLabel() {
						match = match || lp.GetName() == labels[i] && lp.GetValue() == labels[i+1]
					}
					ok = ok && match
				}
				if ok {
					return m.GetCounter().GetValue() + m.GetGauge().GetValue()
				}
			}
		}
		return 0
	}
	// Every message settled: written, passed through the sinks, acked.
	lab.WaitFor(t, ctx, 250*time.Millisecond, func() error {
		settled := metric("vantage_controller_messages_total", "outcome", "ok") + metric("vantage_controller_messages_total", "outcome", "partial") +
			metric("vantage_controller_messages_total", "outcome", "deadlettered")
		if settled != float64(published) {
			return fmt.Errorf("%v of %d messages settled", settled, published)
		}
		return nil
	})
	if n := metric("vantage_controller_line_evidence_refused_total", "reason", "unknown_line"); n != 15000 {
		t.Errorf("unknown_line refusals %v, want 15000", n)
	}
	// Settled means acked into the InfluxDB write-behind queue
	// (controller/writebehind); its drain writes them shortly after.
	lab.WaitFor(t, ctx, 250*time.Millisecond, func() error {
		if n, err := influx.Count(ctx, "ping"); err != nil || n < 15000 {
			return fmt.Errorf("ping points %d (%v), want the 15,000 invented ones stored too", n, err)
		}
		return nil
	})
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	t.Logf("heap in use before the 15,000 invented lines %.1f MB, after %.1f MB (whole test process)",
		float64(before.HeapInuse)/1e6, float64(after.HeapInuse)/1e6)

	// Attack 3: dead-lettered and counted, none in InfluxDB.
	for reason, want := range map[string]float64{"forbidden_measurement": 3, "out_of_range": 4, "too_old": 1} {
		if got := metric("vantage_controller_results_rejected_total", "reason", reason); got != want {
			t.Errorf("results rejected{%s} = %v, want %v", reason, got, want)
		}
	}
	for _, f := range []string{"ping.loss_pct", "ping.sent", "ping.rtt_avg_ms", "http.status"} {
		if got := metric("vantage_controller_results_out_of_range_total", "field", f); got != 1 {
			t.Errorf("out of range{field=%s} = %v, want 1", f, got)
		}
	}
	if got := metric("vantage_controller_line_evidence_refused_total", "reason", "not_assigned"); got == 0 {
		t.Error("no not_assigned refusal counted for C2's diamond line")
	}

	// Wait out the horizon so final line_state points of L-C1 are written,
	// then look for anything about L-C2-DIAMOND.
	lab.WaitFor(t, ctx, 500*time.Millisecond, func() error {
		rows, err := influx.Query(ctx, fmt.Sprintf(`from(bucket: %q) |> range(start: -1h)
  |> filter(fn: (r) => r._measurement == "line_state" and r.line == "L-C1")`, influx.Bucket))
		if err != nil || len(rows) == 0 {
			return fmt.Errorf("no line_state of L-C1 yet (%v)", err)
		}
		return nil
	})
	query := func(filter string) []map[string]any {
		t.Helper()
		rows, err := influx.Query(ctx, fmt.Sprintf(`from(bucket: %q) |> range(start: 1970-01-01T00:00:00Z, stop: 2200-01-01T00:00:00Z)
  |> filter(fn: (r) => %s)`, influx.Bucket, filter))
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	if rows := query(`(r._measurement == "line_state" or r._measurement == "line_event") and r.line == "L-C2-DIAMOND"`); len(rows) > 0 {
		t.Errorf("line_state/line_event of C2's diamond line in InfluxDB: %v", rows)
	}
	if rows := query(`r._measurement == "agent" and r.site == "S2"`); len(rows) > 0 {
		t.Errorf("agent points with another site, from cpe-c1: %v", rows)
	}
	for _, r := range query(`r._measurement == "agent" and r._field == "version"`) {
		if v, _ := r["_value"].(string); v == "forged-9.9" || len(v) > result.MaxVersionBytes+24 {
			t.Errorf("agent version %.40q… (%d bytes) in InfluxDB", v, len(v))
		}
	}
	for _, r := range query(`r._measurement == "ping" and r._field == "loss_pct"`) {
		if v, _ := r["_value"].(float64); v < 0 || v > 100 {
			t.Errorf("ping loss_pct %v in InfluxDB", v)
		}
	}
	for _, r := range query(`r._measurement == "http" and r._field == "status"`) {
		t.Errorf("http status %v in InfluxDB (only a refused one was sent)", r["_value"])
	}
	if rows := query(`r._measurement == "ping" and r._field == "rtt_avg_ms" and r._value > 60000.0`); len(rows) > 0 {
		t.Errorf("impossible RTT in InfluxDB: %v", rows)
	}

	var inc struct{ Incidents []apiIncident }
	if err := getJSONAs(ctx, ctrl, token, "/api/v1/incidents", &inc); err != nil {
		t.Fatal(err)
	}
	for _, in := range inc.Incidents {
		for _, c := range in.Customers {
			if c.ID != "C1" {
				t.Errorf("incident %d touches customer %s (%s): only cpe-c1's own line may have one", in.ID, c.ID, c.Tier)
			}
		}
	}
	if len(inc.Incidents) == 0 {
		t.Error("no incident for cpe-c1's own line: the attack above proves nothing")
	}

	// Attack 4: line health tracks the inventory's two lines and no more.
	var lines struct{ Lines []apiLine }
	if err := getJSONAs(ctx, ctrl, token, "/api/v1/lines?limit=1000", &lines); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, l := range lines.Lines {
		ids = append(ids, l.ID)
		if l.ID == "L-C2-DIAMOND" && l.State == "down" {
			t.Errorf("C2's diamond line is down on cpe-c1's word: %+v", l)
		}
	}
	if len(ids) != 2 {
		t.Errorf("/api/v1/lines lists %d lines (%.40v…), want the inventory's 2", len(ids), ids)
	}
	if got := metric("vantage_controller_health_lines"); got > 2 {
		t.Errorf("line health tracks %v lines, want at most the inventory's 2", got)
	}

	// Attack 5: the version is cut in the registry and in the log.
	lab.WaitFor(t, ctx, 200*time.Millisecond, func() error {
		var a struct {
			Version string `json:"version"`
		}
		if err := getJSONAs(ctx, ctrl, token, "/api/v1/agents/cpe-c1", &a); err != nil {
			return err
		}
		if a.Version == "" {
			return fmt.Errorf("cpe-c1 not registered yet")
		}
		if len(a.Version) > result.MaxVersionBytes+24 {
			t.Errorf("registry keeps a version of %d bytes", len(a.Version))
		}
		return nil
	})
	for _, line := range strings.Split(logs.String(), "\n") {
		if len(line) > 8192 {
			t.Errorf("a log line of %d bytes: %.200s…", len(line), line)
		}
	}
}
