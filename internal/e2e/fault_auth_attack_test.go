package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vantage-net/vantage/controller"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testinflux"
	"github.com/vantage-net/vantage/probes/result"
)

// Issue 10, attacks 1, 6 and 2, against the real controller (embedded
// NATS, agent_auth on, remote config from the inventory) and InfluxDB
// 1.8.10. The victim cpe-a is the real agent; the attacker holds cpe-b's
// real credentials, issued by the store as `agent add` issues them.
//
//  1. cpe-b subscribes to every reply subject, cpe-a's inbox, the
//     controller's and the config keys: each is refused by the server, and
//     it receives nothing while cpe-a gets its config, publishes and
//     heartbeats and the controller pulls cpe-a's batches.
//  6. cpe-b creates durable consumers on the config stream (and more
//     ephemeral ones than a watch needs): the controller deletes them and
//     counts it; a consumer meant to outlive it by a day is refused; cpe-a's
//     watch still takes a new revision.
//  2. With cpe-a's uplink cut, cpe-b publishes, on its own subject, batches
//     carrying the ids of cpe-a's spooled batches (in either id header).
//     They are refused and counted (msg_id); when the uplink returns every
//     result cpe-a published is in InfluxDB.
func TestFaultAgentAttacks(t *testing.T) {
	if testing.Short() {
		t.Skip("fault test")
	}
	t.Parallel()
	influx := testinflux.Start(t)
	dataDir := t.TempDir()
	dbPath := filepath.Join(dataDir, "vantage.db")
	creds := issueCredentials(t, dbPath, "cpe-a", "cpe-b")
	credA, credB := creds["cpe-a"], creds["cpe-b"]
	inv := `customers:
  - {id: C1, name: One, tier: gold}
sites:
  - {id: S1, customer: C1, kind: cpe, name: HQ, agent: cpe-a}
lines:
  - {circuit_id: L1, customer: C1, a_end_site: S1, probe_address: 127.0.0.1}
`
	importInventory(t, dataDir, inv)

	port := lab.FreePort(t)
	ctrl, ctrlReg, _, _ := runController(t, fmt.Sprintf(`http_listen: 127.0.0.1:0
data_dir: %s
nats: {listen: "127.0.0.1:%d", agent_auth: true}
influx: {url: %s, bucket: %s, request_timeout: 5s}
ingest: {fetch_batch: 50, max_ack_pending: 500, ack_wait: 10s}
remote_config: {enabled: true, refresh: 1s, ping: {interval: 500ms}}
`, dataDir, port, influx.URL, influx.Bucket))
	apiTokens.Store(ctrl, createToken(t, dbPath, "--name", "e2e-admin", "--role", "admin"))
	url := fmt.Sprintf("nats://127.0.0.1:%d", port)
	gate := agentKillStartGate(t, fmt.Sprintf("127.0.0.1:%d", port))

	spoolDir := t.TempDir()
	victim, victimReg := newAgent(t, fmt.Sprintf(`agent_id: cpe-a
http_listen: 127.0.0.1:0
nats: {urls: [nats://%s], user: cpe-a, password: %q, publish_timeout: 1s}
heartbeat_interval: 1s
publish: {batch_delay: 100ms}
spool: {dir: %s, max_bytes: 2MiB, fsync: never}
remote_config: {enabled: true, cache_file: %s}
probes: []
`, gate.addr(), credA.Password, spoolDir, filepath.Join(t.TempDir(), "remote.yaml")))
	stopVictim := runAgent(t, victim)

	// The attacker's connections: one as nats.go connects by default, one
	// with its own inbox prefix, whose JetStream replies it can receive.
	spy := &attackSpy{}
	spyConn, err := nats.Connect(url, nats.UserInfo("cpe-b", credB.Password), nats.ErrorHandler(spy.asyncErr), nats.MaxReconnects(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(spyConn.Close)
	bConn, err := nats.Connect(url, nats.UserInfo("cpe-b", credB.Password), nats.CustomInboxPrefix("_INBOX_cpe-b"), nats.MaxReconnects(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bConn.Close)

	t.Run("1 no reading others' replies", func(t *testing.T) {
		ctx := lab.Deadline(t, time.Minute)
		foreign := []string{"_INBOX.>", "_INBOX_cpe-a.>", "_CONTROLLER_INBOX.>", ">", "$KV.VANTAGE_AGENT_CONFIG.>"}
		for _, subj := range foreign {
			if _, err := spyConn.Subscribe(subj, spy.record); err != nil {
				t.Fatal(err)
			}
		}
		if err := spyConn.Flush(); err != nil {
			t.Fatal(err)
		}
		// The victim works: its config applied, its results written, its
		// heartbeat seen.
		rev := waitAgentConfigApplied(t, ctx, ctrl, "cpe-a", 0)
		lab.WaitFor(t, ctx, 250*time.Millisecond, func() error {
			n, err := agentPoints(ctx, influx, "cpe-a")
			if err == nil && n == 0 {
				err = fmt.Errorf("no points of cpe-a yet")
			}
			return err
		})
		lab.WaitFor(t, ctx, 250*time.Millisecond, func() error {
			var ag struct {
				ConfigRev uint64    `json:"config_rev"`
				LastSeen  time.Time `json:"last_seen"`
			}
			if err := getJSON(ctx, ctrl, "/api/v1/agents/cpe-a", &ag); err != nil {
				return err
			}
			if ag.ConfigRev != rev || ag.LastSeen.IsZero() {
				return fmt.Errorf("registry shows %+v, want a heartbeat with config_rev %d", ag, rev)
			}
			return nil
		})
		if err := spyConn.Flush(); err != nil {
			t.Fatal(err)
		}
		if got := spy.seen(); len(got) > 0 {
			t.Errorf("cpe-b received %d messages of others' traffic, e.g. %v", len(got), got[:min(len(got), 5)])
		}
		for _, subj := range foreign {
			if !spy.refused(`Permissions Violation for Subscription to "` + subj + `"`) {
				t.Errorf("cpe-b's subscription to %s was not refused by the server", subj)
			}
		}
	})

	t.Run("6 no durable or surplus consumers", func(t *testing.T) {
		ctx := lab.Deadline(t, time.Minute)
		filter := "$KV.VANTAGE_AGENT_CONFIG.cpe-b"
		create := func(name, cfg string) {
			t.Helper()
			subj := "$JS.API.CONSUMER.CREATE.KV_VANTAGE_AGENT_CONFIG." + name + "." + filter
			body := `{"stream_name":"KV_VANTAGE_AGENT_CONFIG","config":{` + cfg + `"filter_subject":"` + filter + `"}}`
			// Replies do not matter: the server acts on the request.
			if err := spyConn.PublishRequest(subj, "_INBOX.x", []byte(body)); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 3 {
			create(fmt.Sprintf("hoard%d", i), fmt.Sprintf(`"durable_name":"hoard%d","ack_policy":"explicit",`, i))
		}
		for i := range 4 {
			create(fmt.Sprintf("extra%d", i), `"ack_policy":"explicit",`)
		}
		if err := spyConn.Flush(); err != nil {
			t.Fatal(err)
		}
		lab.WaitFor(t, ctx, 100*time.Millisecond, func() error {
			d := linkCutCounterWith(t, ctrlReg, "vantage_controller_agent_consumers_deleted_total", "reason", "durable")
			e := linkCutCounterWith(t, ctrlReg, "vantage_controller_agent_consumers_deleted_total", "reason", "excess")
			if d != 3 || e != 2 {
				return fmt.Errorf("the controller deleted %.0f durable and %.0f excess consumers of cpe-b, want 3 and 2", d, e)
			}
			return nil
		})
		bjs, err := jetstream.New(bConn, jetstream.WithDefaultTimeout(2*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := bjs.CreateConsumer(ctx, "KV_VANTAGE_AGENT_CONFIG", jetstream.ConsumerConfig{
			FilterSubject: filter, InactiveThreshold: 24 * time.Hour}); err == nil || !strings.Contains(err.Error(), "inactive threshold") {
			t.Errorf("a consumer meant to outlive cpe-b by a day: %v", err)
		}
		// cpe-a's own watch still delivers a new revision.
		rev := waitAgentConfigApplied(t, ctx, ctrl, "cpe-a", 0)
		importInventory(t, dataDir, inv+"  - {circuit_id: L2, customer: C1, a_end_site: S1, probe_address: 127.0.0.2}\n")
		waitAgentConfigApplied(t, ctx, ctrl, "cpe-a", rev)
	})

	t.Run("2 no colliding message ids", func(t *testing.T) {
		ctx := lab.Deadline(t, 2*time.Minute)
		waitAgentConfigApplied(t, ctx, ctrl, "cpe-a", 0) // it has probes, so it spools
		gate.set(false)
		var pending agentKillSpool
		lab.WaitFor(t, ctx, 200*time.Millisecond, func() error {
			pending = agentKillReadSpool(t, spoolDir)
			if len(pending.msgs) < 3 {
				return fmt.Errorf("cpe-a has spooled %d messages, want 3", len(pending.msgs))
			}
			return nil
		})
		forged, err := result.Encode(&result.Batch{Agent: "cpe-b", Results: []result.Result{{
			Time: time.Now().Add(-time.Second), Measurement: "dial", Probe: "forged",
			Tags:   map[string]string{"target": "198.18.0.9:443", "kind": "tcp"},
			Fields: map[string]float64{"ok": 1, "connect_ms": 2.5},
		}}})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range pending.msgs {
			for _, h := range []string{nats.MsgIdHdr, "Vantage-Msg-Id"} {
				if err := spyConn.PublishMsg(&nats.Msg{Subject: "vantage.results.cpe-b", Data: forged, Header: nats.Header{h: []string{m.id}}}); err != nil {
					t.Fatal(err)
				}
			}
		}
		// Stored before the victim's uplink returns (a round trip after
		// the publishes on the same connection).
		if err := spyConn.Flush(); err != nil {
			t.Fatal(err)
		}
		gate.set(true)
		waitDrained(t, victim)
		stopVictim()
		published := counter(t, victimReg, "vantage_agent_results_published_total")
		lab.WaitFor(t, ctx, 500*time.Millisecond, func() error {
			n, err := agentPoints(ctx, influx, "cpe-a")
			if err != nil {
				return err
			}
			if float64(n) != published {
				return fmt.Errorf("InfluxDB holds %d points of cpe-a, it published %.0f (its spooled ids were %v)", n, published, pending.msgs)
			}
			return nil
		})
		lab.WaitFor(t, ctx, 200*time.Millisecond, func() error {
			got := linkCutCounterWith(t, ctrlReg, "vantage_controller_results_rejected_total", "reason", "msg_id")
			if want := float64(2 * len(pending.msgs)); got != want {
				return fmt.Errorf("results_rejected{msg_id} = %.0f, want %.0f", got, want)
			}
			return nil
		})
		if n, err := agentPoints(ctx, influx, "cpe-b"); err != nil || n != 0 {
			t.Errorf("cpe-b's forged batches wrote %d points (%v)", n, err)
		}
	})
}

// attackSpy records what the attacker's subscriptions received and the
// server's refusals.
type attackSpy struct {
	mu   sync.Mutex
	msgs []string
	errs []string
}

func (s *attackSpy) record(m *nats.Msg) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, fmt.Sprintf("%s (%d bytes, headers %v)", m.Subject, len(m.Data), m.Header))
}

func (s *attackSpy) asyncErr(_ *nats.Conn, _ *nats.Subscription, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errs = append(s.errs, err.Error())
}

func (s *attackSpy) seen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.msgs...)
}

func (s *attackSpy) refused(text string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.errs {
		if strings.Contains(e, text) {
			return true
		}
	}
	return false
}

// agentPoints counts the probe points (ping, dial, http) tagged with agent.
func agentPoints(ctx context.Context, influx *testinflux.Server, agent string) (int64, error) {
	rows, err := influx.Query(ctx, fmt.Sprintf(`from(bucket: %q)
  |> range(start: 1970-01-01T00:00:00Z, stop: 2200-01-01T00:00:00Z)
  |> filter(fn: (r) => r.agent == %q and (r._measurement == "ping" or r._measurement == "dial" or r._measurement == "http"))
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
  |> group()
  |> count(column: "_measurement")`, influx.Bucket, agent))
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	n, _ := rows[0]["_measurement"].(int64)
	return n, nil
}

// waitAgentConfigApplied waits until agent's config revision is newer than
// after and the agent reported it applied; it returns the revision.
func waitAgentConfigApplied(t *testing.T, ctx context.Context, c *controller.Controller, agent string, after uint64) uint64 {
	t.Helper()
	var rev uint64
	lab.WaitFor(t, ctx, 200*time.Millisecond, func() error {
		var v struct {
			Revision uint64 `json:"revision"`
			Status   *struct {
				Applied bool   `json:"applied"`
				Running uint64 `json:"running"`
			} `json:"status"`
		}
		if err := getJSON(ctx, c, "/api/v1/agents/"+agent+"/config", &v); err != nil {
			return err
		}
		if v.Revision <= after || v.Status == nil || !v.Status.Applied || v.Status.Running != v.Revision {
			return fmt.Errorf("%s: config revision %d (want > %d), status %+v", agent, v.Revision, after, v.Status)
		}
		rev = v.Revision
		return nil
	})
	return rev
}
