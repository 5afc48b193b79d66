package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vantage-net/vantage/controller/ingest"
	"github.com/vantage-net/vantage/controller/store/sqlite"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testinflux"
	"github.com/vantage-net/vantage/internal/testnats"
	"github.com/vantage-net/vantage/probes/result"
)

const (
	restartFiller    = 30000
	restartLine      = "L-RESTART"
	restartInventory = `customers:
  - {id: C1, name: Corner Bakery, tier: silver}
sites:
  - {id: S1, customer: C1, kind: cpe, name: Bakery, agent: restart-cpe-1}
lines:
  - {circuit_id: L-RESTART, customer: C1, a_end_site: S1}
`
)

// TestRestartAfterHorizonCountsBacklog: a single controller on an external
// NATS server (JetStream keeps the results while the controller is away)
// is stopped, the line flaps while it is stopped, and it comes back more
// than twice its horizon (10 s here) after the flap. Its ingest reports the
// consumer's progress to line health, whose clock stands still until then
// and follows the results' arrival in the stream while behind: the flap in
// the backlog is stored exactly once, final, with the start and end it had,
// in one incident. Before, the restarted controller judged the backlog by
// its wall clock from line health's first tick (1 s after the start) and
// refused what it had not taken by then as too late: no flap at all. So
// that the backlog takes longer than that tick to take, as a real fleet's
// does, other agents' results (restartFiller messages) reached the stream
// before the flap's, and the ingest pulls one message at a time.
func TestRestartAfterHorizonCountsBacklog(t *testing.T) {
	if testing.Short() {
		t.Skip("restart test")
	}
	t.Parallel()
	bin := buildBinary(t, "vantage-controller")
	influx := testinflux.Start(t)
	ns := testnats.StartJetStream(t)
	dataDir := t.TempDir()
	importInventory(t, dataDir, restartInventory)
	httpPort := lab.FreePort(t)
	cfgFile := writeControllerConfig(t, fmt.Sprintf(`http_listen: 127.0.0.1:%d
data_dir: %s
api_auth: false
nats: {urls: [%s], agent_auth: false}
influx: {url: %s, bucket: %s, request_timeout: 2s}
ingest: {fetch_batch: 1, max_ack_pending: 3}
detector: {k: 2, horizon: 10s}
`, httpPort, dataDir, ns.ClientURL(), influx.URL, influx.Bucket))
	api := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	ctx := lab.Deadline(t, 4*time.Minute)
	ctrl := startHealthyController(t, ctx, bin, cfgFile, api)

	farURL, down := farEnd(t)
	a, _ := newAgent(t, fmt.Sprintf(`agent_id: restart-cpe-1
site: {id: S1}
http_listen: 127.0.0.1:0
nats: {urls: [%s], publish_timeout: 2s}
publish: {batch_delay: 10ms}
spool: {dir: %s}
probes:
  - name: portal
    type: http
    interval: 500ms
    timeout: 300ms
    labels: {line: %s}
    targets: [%s/]
`, ns.ClientURL(), t.TempDir(), restartLine, farURL))
	stopAgent := sync.OnceFunc(runAgent(t, a))
	t.Cleanup(stopAgent)
	lineState := func() (string, error) {
		var l struct{ State string }
		err := getAPI(ctx, api, "/api/v1/lines/"+restartLine, &l)
		return l.State, err
	}
	lab.WaitFor(t, ctx, 100*time.Millisecond, func() error {
		if s, err := lineState(); err != nil || s != "up" {
			return fmt.Errorf("line is %q (%v), want up", s, err)
		}
		return nil
	})

	// An orderly stop (an upgrade); the agent goes on publishing into the
	// stream, which the external NATS server keeps.
	if err := ctrl.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_ = ctrl.Wait()
	publishFiller(t, ctx, ns.ClientURL(), restartFiller)
	downAt := time.Now()
	down.Store(true)
	time.Sleep(3 * time.Second) // the flap's length
	down.Store(false)
	upAt := time.Now()
	time.Sleep(25 * time.Second) // the backlog's age at the restart: over twice the horizon
	startHealthyController(t, ctx, bin, cfgFile, api)

	// The flap, final (one horizon after the clock reached its end), once.
	var flap durableEvent
	lab.WaitFor(t, ctx, 250*time.Millisecond, func() error {
		var d struct{ Events []durableEvent }
		if err := getAPI(ctx, api, "/api/v1/lines/"+restartLine, &d); err != nil {
			return err
		}
		var flaps []durableEvent
		for _, ev := range d.Events {
			if ev.Retracted == nil {
				flaps = append(flaps, ev)
			}
		}
		if len(flaps) != 1 || !flaps[0].Final || flaps[0].End == nil {
			return fmt.Errorf("API lists %+v, want one final flap (the backlog's)", d.Events)
		}
		flap = flaps[0]
		return nil
	})
	// Rounds every 500 ms, a round failing after its 300-ms timeout: the
	// flap starts and ends within a round or two of downAt and upAt.
	if flap.Kind != "flap" || flap.Start.Before(downAt.Add(-time.Second)) || flap.Start.After(downAt.Add(time.Second)) ||
		flap.End.Before(upAt.Add(-time.Second)) || flap.End.After(upAt.Add(2*time.Second)) {
		t.Errorf("event %s %s–%s, want a flap from about %s to about %s", flap.Kind, flap.Start.Format(time.StampMilli),
			flap.End.Format(time.StampMilli), downAt.Format(time.StampMilli), upAt.Format(time.StampMilli))
	}
	rows, err := storedEventStarts(ctx, filepath.Join(dataDir, sqlite.DefaultName), restartLine)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 {
		t.Errorf("line_events holds %d rows for %s, want 1", len(rows), restartLine)
	}
	if late := metricOrZero(t, api, `vantage_controller_health_evidence_total{verdict="too_late"}`); late != 0 {
		t.Errorf("%v results of the backlog refused as too late", late)
	}
	t.Logf("restarted controller took %v results' line evidence", metricOrZero(t, api, `vantage_controller_health_evidence_total{verdict="accepted"}`))
	// The line is heard again, not left silent (unknown) by the restart.
	lab.WaitFor(t, ctx, 100*time.Millisecond, func() error {
		if s, err := lineState(); err != nil || s != "up" {
			return fmt.Errorf("line is %q (%v) after the restart, want up", s, err)
		}
		return nil
	})
}

// metricOrZero reads one sample from the controller's /metrics, 0 if a
// labelled counter was never incremented (not exported yet).
func metricOrZero(t *testing.T, api, name string) float64 {
	t.Helper()
	resp, err := http.Get(api + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	for l := range strings.SplitSeq(string(body), "\n") {
		if v, ok := strings.CutPrefix(l, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	return 0
}

// publishFiller publishes n result messages of an agent the inventory does
// not know into the results stream, as other agents' results would be,
// and waits for JetStream to have stored them all.
func publishFiller(t *testing.T, ctx context.Context, url string, n int) {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	acks := make([]jetstream.PubAckFuture, 0, n)
	for i := range n {
		data, err := result.Encode(&result.Batch{Agent: "filler-1", Results: []result.Result{{Time: time.Now().Add(time.Duration(i)), Measurement: "ping",
			Tags: map[string]string{"target": "198.18.0.1", "line": "L-FILLER"}, Fields: map[string]float64{"sent": 1, "recv": 1, "loss_pct": 0, "rtt_avg_ms": 1}}}})
		if err != nil {
			t.Fatal(err)
		}
		f, err := js.PublishAsync(ingest.ResultsSubjectPrefix+"filler-1", data)
		if err != nil {
			t.Fatal(err)
		}
		acks = append(acks, f)
	}
	for _, f := range acks {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			t.Fatal(err)
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		}
	}
}
