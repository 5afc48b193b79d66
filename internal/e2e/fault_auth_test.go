package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/vantage-net/vantage/controller/agentauth"
	"github.com/vantage-net/vantage/controller/store/sqlite"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testinflux"
)

// Fault test 7: with nats.agent_auth on, the real controller's embedded
// server lets an agent publish only as itself. Agent A's credentials used by
// an agent claiming to be B are refused by the server (nothing reaches
// InfluxDB); A's own results arrive; a revoked agent cannot connect.
func TestFaultAgentCredentials(t *testing.T) {
	if testing.Short() {
		t.Skip("fault test")
	}
	t.Parallel()
	influx := testinflux.Start(t)
	dataDir := t.TempDir()
	dbPath := filepath.Join(dataDir, "vantage.db")
	creds := issueCredentials(t, dbPath, "cpe-a", "cpe-gone")
	credA, credGone := creds["cpe-a"], creds["cpe-gone"]

	port := lab.FreePort(t)
	startFaultController(t, influx, dataDir, fmt.Sprintf(`nats: {listen: "127.0.0.1:%d", agent_auth: true}`, port))
	url := fmt.Sprintf("nats://127.0.0.1:%d", port)
	httpURL, tcpAddr := faultTargets(t)
	agentConfig := func(id, user, pass string) string {
		return fmt.Sprintf(`agent_id: %s
http_listen: 127.0.0.1:0
nats: {urls: [%s], user: %s, password: %q, publish_timeout: 1s}
publish: {batch_delay: 100ms}
probes:
  - name: portal
    type: http
    interval: 1s
    labels: {line: L-1}
    targets: [%s]
  - name: erp
    type: dial
    interval: 1s
    targets: [%s]
    options: {kind: tcp}
`, id, url, user, pass, httpURL, tcpAddr)
	}

	honest, honestReg := newAgent(t, agentConfig("cpe-a", "cpe-a", credA.Password))
	impostor, impostorReg := newAgent(t, agentConfig("cpe-b", "cpe-a", credA.Password))
	stopHonest := runAgent(t, honest)
	stopImpostor := runAgent(t, impostor)
	time.Sleep(8 * time.Second)
	stopImpostor()
	stopHonest()

	if got := counter(t, impostorReg, "vantage_agent_results_published_total"); got != 0 {
		t.Errorf("an agent using cpe-a's credentials as cpe-b published %.0f results", got)
	}
	if got := counter(t, impostorReg, "vantage_agent_publish_errors_total"); got == 0 {
		t.Error("the impostor's publishes did not fail")
	}
	published := counter(t, honestReg, "vantage_agent_results_published_total")
	if published == 0 {
		t.Fatal("the honest agent published nothing")
	}
	// Only cpe-a's results are in InfluxDB, all of them.
	waitPoints(t, influx, []string{"http", "dial"}, published)
	rows, err := influx.Query(lab.Deadline(t, 30*time.Second),
		`from(bucket: "`+influx.Bucket+`") |> range(start: -1h) |> filter(fn: (r) => r.agent != "cpe-a") |> count()`)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 0 {
		t.Errorf("points from another agent id reached InfluxDB: %v", rows)
	}

	// A revoked agent, and a wrong password, cannot connect at all.
	db, err := sqlite.Open(context.Background(), dbPath, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := agentauth.NewStore(db).Revoke(context.Background(), "cpe-gone"); err != nil {
		t.Fatal(err)
	}
	for name, opt := range map[string]nats.Option{
		"revoked":        nats.UserInfo("cpe-gone", credGone.Password),
		"wrong password": nats.UserInfo("cpe-a", credA.Password+"x"),
		"no credentials": nats.Name("anonymous"),
	} {
		nc, err := nats.Connect(url, opt, nats.MaxReconnects(0), nats.Timeout(2*time.Second))
		if err == nil {
			nc.Close()
			t.Errorf("%s: connected", name)
		}
	}
}
