package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testinflux"
)

// cardInventory names the test's agent at the PoP, so it watches both
// lines from the network side: only an assigned agent's results are line
// evidence (controller/evidence).
const cardInventory = `customers:
  - {id: C1, name: Harbour Logistics, tier: gold, account_manager: am-wang}
  - {id: C2, name: Corner Bakery, tier: silver, account_manager: am-li}
elements:
  - {id: pop, kind: pop, name: PoP, agent: e2e-pop-1}
  - {id: pe, parent: pop, kind: router, name: PE 1}
  - {id: card, parent: pe, kind: card, name: PE 1 slot 1}
  - {id: p1, parent: card, kind: port, name: PE 1 1/0/1}
  - {id: p2, parent: card, kind: port, name: PE 1 1/0/2}
lines:
  - {circuit_id: L1, customer: C1, upstream_element: p1}
  - {circuit_id: L2, customer: C2, upstream_element: p2}
`

// TestLineHealthCardFlap runs the whole line-health path with real parts:
// an agent pinging two customer namespaces over veth links, the controller
// with its detector, database and API, and InfluxDB. Both links go down for
// 5 s, as if the card both lines hang from rebooted. Expected: one incident
// rooted at the card with both lines and both customers, closed once both
// are back, and exactly one flap per line in /api/v1/lines.
func TestLineHealthCardFlap(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	t.Parallel()
	lab.NeedRoot(t)
	lab.NeedBinary(t, "ip", "iproute2")
	influx := testinflux.Start(t)
	dataDir := t.TempDir()
	importInventory(t, dataDir, cardInventory)
	// k = 2 and a 3-s horizon keep the test short; the flap threshold
	// stays at its default (60 s), so 5 s down is a flap.
	ctrl := startControllerWith(t, influx, dataDir, "detector: {k: 2, horizon: 3s, snapshot_interval: 2s}\n")

	type customerNS struct {
		ns       *lab.Netns
		ifFar    string
		far      string
		lineName string
	}
	var cust []customerNS
	for i, line := range []string{"L1", "L2"} {
		ns := lab.NewNetns(t, fmt.Sprintf("lh%d", i))
		host, far := randomLink()
		_, ifFar := lab.Veth(t, nil, host+"/30", ns, far+"/30")
		cust = append(cust, customerNS{ns: ns, ifFar: ifFar, far: far, lineName: line})
	}
	var probes strings.Builder
	for _, c := range cust {
		fmt.Fprintf(&probes, `  - name: pop-%s
    type: ping
    interval: 1s
    timeout: 800ms
    labels: {line: %s}
    targets: [%s]
    options: {count: 3}
`, c.lineName, c.lineName, c.far)
	}
	a, _ := newAgent(t, fmt.Sprintf(`agent_id: e2e-pop-1
site: {id: S-POP}
http_listen: 127.0.0.1:0
nats: {urls: [%s]}
publish: {batch_delay: 100ms}
probes:
%s`, ctrl.NATSURL(), probes.String()))
	agentCtx, stopAgent := context.WithCancel(context.Background())
	agentDone := make(chan error, 1)
	go func() { agentDone <- a.Run(agentCtx) }()
	t.Cleanup(func() { stopAgent(); <-agentDone })

	ctx := lab.Deadline(t, 60*time.Second)
	lines := func() (map[string]apiLine, error) {
		var body struct{ Lines []apiLine }
		if err := getJSON(ctx, ctrl, "/api/v1/lines", &body); err != nil {
			return nil, err
		}
		m := map[string]apiLine{}
		for _, l := range body.Lines {
			m[l.ID] = l
		}
		return m, nil
	}
	lab.WaitFor(t, ctx, 250*time.Millisecond, func() error {
		ls, err := lines()
		if err != nil {
			return err
		}
		for _, id := range []string{"L1", "L2"} {
			if ls[id].State != "up" {
				return fmt.Errorf("line %s is %q, want up first", id, ls[id].State)
			}
		}
		return nil
	})

	// The card "reboots": both far ends down for 5 s. Setting the far end
	// down drops the host end's carrier too, so pings time out (sent, not
	// answered) rather than failing to send.
	for _, c := range cust {
		lab.SetLink(t, c.ns, c.ifFar, false)
	}
	lab.WaitFor(t, ctx, 100*time.Millisecond, func() error {
		var body struct{ Incidents []apiIncident }
		if err := getJSON(ctx, ctrl, "/api/v1/incidents?state=open", &body); err != nil {
			return err
		}
		if len(body.Incidents) != 1 || body.Incidents[0].Lines != 2 {
			return fmt.Errorf("open incidents %+v, want one with both lines", body.Incidents)
		}
		return nil
	})
	time.Sleep(3 * time.Second) // the rest of the 5 s (detection took ~2 s)
	for _, c := range cust {
		lab.SetLink(t, c.ns, c.ifFar, true)
	}

	var inc apiIncident
	lab.WaitFor(t, ctx, 250*time.Millisecond, func() error {
		var body struct{ Incidents []apiIncident }
		if err := getJSON(ctx, ctrl, "/api/v1/incidents", &body); err != nil {
			return err
		}
		if len(body.Incidents) != 1 || body.Incidents[0].State != "closed" {
			return fmt.Errorf("incidents %+v, want one, closed", body.Incidents)
		}
		inc = body.Incidents[0]
		return nil
	})
	if inc.Kind != "outage" || inc.Root != "card" || inc.Lines != 2 || len(inc.Customers) != 2 {
		t.Errorf("incident %+v: want an outage rooted at card with 2 lines and 2 customers", inc)
	}
	tiers := []string{inc.Customers[0].Tier, inc.Customers[1].Tier}
	slices.Sort(tiers)
	if fmt.Sprint(tiers) != "[gold silver]" {
		t.Errorf("customer tiers %v", tiers)
	}

	// Final events trail the 3-s horizon.
	lab.WaitFor(t, ctx, 250*time.Millisecond, func() error {
		ls, err := lines()
		if err != nil {
			return err
		}
		for _, id := range []string{"L1", "L2"} {
			l := ls[id]
			if l.Flaps24h != 1 || l.Outages24h != 0 || l.State != "up" {
				return fmt.Errorf("line %+v: want up with 1 flap, 0 outages", l)
			}
			if l.Availability24h >= 100 || l.Availability24h < 99.9 {
				return fmt.Errorf("line %s availability %v", id, l.Availability24h)
			}
		}
		return nil
	})
	lab.WaitFor(t, ctx, 250*time.Millisecond, func() error {
		n, err := influx.Count(ctx, "line_event")
		if err != nil {
			return err
		}
		if n != 2 {
			return fmt.Errorf("%d line_event points, want 2 (one flap per line)", n)
		}
		return nil
	})

	var detail struct {
		ID       int64 `json:"id"`
		Timeline []struct {
			What string `json:"what"`
		} `json:"timeline"`
	}
	if err := getJSON(ctx, ctrl, fmt.Sprintf("/api/v1/incidents/%d", inc.ID), &detail); err != nil || len(detail.Timeline) < 4 {
		t.Errorf("incident detail %+v: %v", detail, err)
	}
	checkAccountManagerScope(t, ctx, ctrl, dataDir, inc.ID)
}

// checkAccountManagerScope is fault test 8: an account manager sees their
// own customer's line and the shared incident trimmed to it; another
// manager's customer's line is a 404, exactly like an unknown line; no
// token is a 401.
func checkAccountManagerScope(t *testing.T, ctx context.Context, ctrl *controller.Controller, dataDir string, incidentID int64) {
	t.Helper()
	wang := createToken(t, filepath.Join(dataDir, "vantage.db"), "--name", "wang", "--role", "account_manager", "--manager", "am-wang")
	var line map[string]any
	if err := getJSONAs(ctx, ctrl, wang, "/api/v1/lines/L1", &line); err != nil {
		t.Errorf("am-wang reading C1's line L1: %v", err)
	}
	err := getJSONAs(ctx, ctrl, wang, "/api/v1/lines/L2", &line)
	if err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("am-wang reading C2's line L2: %v, want 404", err)
	}
	err = getJSONAs(ctx, ctrl, wang, "/api/v1/lines/L404", &line)
	if err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("unknown line: %v, want 404", err)
	}
	var list struct {
		Lines []struct {
			ID string `json:"id"`
		} `json:"lines"`
	}
	if err := getJSONAs(ctx, ctrl, wang, "/api/v1/lines", &list); err != nil || len(list.Lines) != 1 || list.Lines[0].ID != "L1" {
		t.Errorf("am-wang's line list %+v: %v, want only L1", list, err)
	}
	var custs struct {
		Customers []struct {
			ID           string         `json:"id"`
			Lines        int            `json:"lines"`
			LinesByState map[string]int `json:"lines_by_state"`
		} `json:"customers"`
	}
	if err := getJSONAs(ctx, ctrl, wang, "/api/v1/customers", &custs); err != nil || len(custs.Customers) != 1 ||
		custs.Customers[0].ID != "C1" || custs.Customers[0].Lines != 1 {
		t.Errorf("am-wang's customers %+v: %v, want only C1 with its one line", custs, err)
	}
	var detail struct {
		Customers []struct {
			ID string `json:"id"`
		} `json:"customers"`
		Lines []struct {
			Line string `json:"line"`
		} `json:"lines"`
	}
	if err := getJSONAs(ctx, ctrl, wang, fmt.Sprintf("/api/v1/incidents/%d", incidentID), &detail); err != nil ||
		len(detail.Customers) != 1 || detail.Customers[0].ID != "C1" || len(detail.Lines) != 1 {
		t.Errorf("am-wang's view of the shared incident %+v: %v, want C1 and its line only", detail, err)
	}
	if err := getJSONAs(ctx, ctrl, "", "/api/v1/lines", &list); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("no token: %v, want 401", err)
	}
	if err := getJSONAs(ctx, ctrl, wang, "/api/v1/agents", &line); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("account manager reading the agent fleet: %v, want 403", err)
	}
}
