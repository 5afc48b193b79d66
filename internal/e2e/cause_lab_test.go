package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testinflux"
)

// causeLab is the both-ends lab: popLab's "PoP" namespace plays the PE
// router (bridge, customers behind it, uplink to the host where the
// controller runs); customer c0 runs a CPE agent (the vantage-agent
// binary) whose only uplink is its line; c1 runs none. A watcher
// namespace runs the network-side agent: it reaches the customers over its
// own uplink to the PE and the controller over a management link of its
// own, so its uplink can fail while it keeps reporting.
type causeLab struct {
	*popLab
	watcher   *lab.Netns
	watchUpIf string // the watcher's end of its uplink to the PE
	watchVia  string // the PE's address on that uplink
	ctrlAddr  string // the host address the agents' NATS connections go to
}

func newCauseLab(t *testing.T) *causeLab {
	t.Helper()
	l := &causeLab{popLab: newPopLab(t, 2)}
	// popLab routes the customers' /24 via the PE's uplink; the host end of
	// that uplink is where NATS listens.
	route := strings.Fields(lab.Run(t, "ip", "-4", "route", "show", l.net+".0/24")) // "... via X dev IF ..."
	dev := ""
	for i := 0; i+1 < len(route); i++ {
		if route[i] == "dev" {
			dev = route[i+1]
		}
	}
	addr := strings.Fields(lab.Run(t, "ip", "-4", "-o", "addr", "show", "dev", dev))
	if len(addr) < 4 {
		t.Fatalf("no address on the host's end of the PE uplink %q", dev)
	}
	l.ctrlAddr, _, _ = strings.Cut(addr[3], "/")
	lab.CheckAddr(t, l.ctrlAddr)
	l.watcher = lab.NewNetns(t, "wat")
	mgmtHost, mgmtW := randomLink()
	lab.Veth(t, nil, mgmtHost+"/30", l.watcher, mgmtW+"/30")
	l.watcher.Run("ip", "route", "add", l.ctrlAddr+"/32", "via", mgmtHost)
	upPE, upW := randomLink()
	l.watchVia = upPE
	_, l.watchUpIf = lab.Veth(t, l.pop, upPE+"/30", l.watcher, upW+"/30")
	l.watcher.Run("ip", "route", "add", l.net+".0/24", "via", upPE)
	return l
}

// TestCauseLab (issue 11, lines watched from both ends): the CPE agent and
// the watcher agent, both the shipped vantage-agent binary with the probes
// the controller derives from the inventory, watch line L1 from its two
// ends; the watcher alone watches L2. Cutting L1 gives cause line (the CPE
// agent's spooled failures prove both ends lost each other); stopping the
// CPE agent and taking its interface down (a powered-off CPE) gives
// customer_premises, never line; taking the watcher's uplink down gives
// watcher_uplink for L2 while L1 stays up. Each cause is read from the
// incident and from the final event in the API, and from the line_event
// points' cause tag in InfluxDB.
func TestCauseLab(t *testing.T) {
	if testing.Short() {
		t.Skip("lab test (about 3 minutes)")
	}
	// Not parallel: see sequentialTests.
	lab.NeedRoot(t)
	lab.NeedBinary(t, "ip", "iproute2")
	lab.NeedBinary(t, "sysctl", "procps")
	bin := buildBinary(t, "vantage-agent")
	influx := testinflux.Start(t)
	l := newCauseLab(t)

	dataDir := t.TempDir()
	importInventory(t, dataDir, fmt.Sprintf(`customers:
  - {id: C1, name: Quay Bank, tier: diamond}
  - {id: C2, name: Dock Shop, tier: gold}
elements:
  - {id: pop, kind: pop, agent: cause-watcher}
  - {id: p1, parent: pop, kind: port}
  - {id: p2, parent: pop, kind: port}
sites:
  - {id: S1, customer: C1, kind: cpe, name: Quay Bank HQ, agent: cause-cpe}
  - {id: S2, customer: C2, kind: cpe, name: Dock Shop}
lines:
  - {circuit_id: L1, customer: C1, a_end_site: S1, upstream_element: p1, probe_address: %[1]s.1,
     watchers: [pop], watch_address: %[2]s}
  - {circuit_id: L2, customer: C2, a_end_site: S2, upstream_element: p2, watchers: [pop], watch_address: %[3]s}
`, l.net, l.addrs[0], l.addrs[1]))
	// The horizon leaves time for the CPE agent's spool to arrive after a
	// short cut; final events trail it. L1 has two real episodes here (the
	// cut, then the CPE powered off), which at the default suppress (2000)
	// is flapping by design; 2500 lets two through and not three, so the
	// cut must count once (it made three provisional outages before
	// linestate placed late evidence: doc.go, "Late evidence").
	const horizon = 30 * time.Second
	ctrl := startControllerText(t, fmt.Sprintf(`http_listen: 127.0.0.1:0
data_dir: %s
nats: {listen: "%s:-1", agent_auth: false}
influx: {url: %s, bucket: %s}
ingest: {fetch_batch: 50, max_ack_pending: 500}
remote_config: {enabled: true, refresh: 1s}
detector: {horizon: %s, suppress: 2500}
`, dataDir, l.ctrlAddr, influx.URL, influx.Bucket, horizon))

	agentCfg := func(id, dir string) string {
		return fmt.Sprintf(`agent_id: %s
http_listen: 127.0.0.1:0
nats: {urls: [%s], publish_timeout: 2s}
publish: {batch_delay: 100ms}
spool: {dir: %s}
remote_config: {enabled: true, cache_file: %s}
probes: []
`, id, ctrl.NATSURL(), filepath.Join(dir, "spool"), filepath.Join(dir, "remote.yaml"))
	}
	cpeDir, watDir := t.TempDir(), t.TempDir()
	cpe := startNSAgent(t, l.cust[0], bin, agentCfg("cause-cpe", cpeDir))
	startNSAgent(t, l.watcher, bin, agentCfg("cause-watcher", watDir))

	ctx := lab.Deadline(t, 6*time.Minute)
	both := func(state1, state2 string) func() error {
		return func() error {
			for id, want := range map[string]string{"L1": state1, "L2": state2} {
				var ln apiLine
				if err := getJSON(ctx, ctrl, "/api/v1/lines/"+id, &ln); err != nil {
					return err
				}
				if ln.State != want {
					return fmt.Errorf("%s is %s, want %s", id, ln.State, want)
				}
			}
			return nil
		}
	}
	lab.WaitFor(t, ctx, 250*time.Millisecond, both("up", "up"))
	lab.WaitFor(t, ctx, 250*time.Millisecond, func() error { return bothAgentsReport(ctx, ctrl) })

	// 1. The line cut (the PE's port): both ends lose each other.
	lab.SetLink(t, l.pop, l.portIf[0], false)
	lab.WaitFor(t, ctx, 250*time.Millisecond, both("down", "up"))
	time.Sleep(4 * time.Second) // an 8-s-ish cut: a flap
	lab.SetLink(t, l.pop, l.portIf[0], true)
	waitIncidentCause(t, ctx, ctrl, "L1", "line")
	lab.WaitFor(t, ctx, 250*time.Millisecond, both("up", "up"))

	// 2. The CPE powered off: its agent stops, then its interface goes down.
	cpe.stop(t)
	cpeIf := l.cust[0].Run("sh", "-c", "ls /sys/class/net | grep '^lc'")
	l.cust[0].Run("ip", "link", "set", cpeIf, "down")
	lab.WaitFor(t, ctx, 250*time.Millisecond, both("down", "up"))
	time.Sleep(4 * time.Second)
	l.cust[0].Run("ip", "link", "set", cpeIf, "up")
	// An interface set down loses its routes and neighbours.
	l.cust[0].Run("ip", "route", "replace", "default", "via", l.net+".1")
	l.cust[0].Run("ip", "neigh", "replace", l.net+".1", "lladdr", "02:00:c6:12:7f:01", "dev", cpeIf, "nud", "permanent")
	startNSAgent(t, l.cust[0], bin, agentCfg("cause-cpe", cpeDir))
	waitIncidentCause(t, ctx, ctrl, "L1", "customer_premises")
	lab.WaitFor(t, ctx, 250*time.Millisecond, both("up", "up"))

	// 3. The watcher's uplink down: it loses L1 and L2; the CPE agent still
	// reaches L1's far end, so L1 stays up and L2's outage is the watcher's.
	lab.SetLink(t, l.watcher, l.watchUpIf, false)
	lab.WaitFor(t, ctx, 250*time.Millisecond, both("up", "down"))
	waitIncidentCause(t, ctx, ctrl, "L2", "watcher_uplink")
	lab.SetLink(t, l.watcher, l.watchUpIf, true)
	l.watcher.Run("ip", "route", "replace", l.net+".0/24", "via", l.watchVia) // lost with the link
	lab.WaitFor(t, ctx, 250*time.Millisecond, both("up", "up"))

	// The final events, once the horizon has passed: each with its cause.
	want := map[string][]string{"L1": {"customer_premises", "line"}, "L2": {"watcher_uplink"}}
	lab.WaitFor(t, ctx, time.Second, func() error {
		for id, causes := range want {
			var d struct {
				Events []struct {
					Kind  string `json:"kind"`
					Cause string `json:"cause"`
				} `json:"events"`
			}
			if err := getJSON(ctx, ctrl, "/api/v1/lines/"+id, &d); err != nil {
				return err
			}
			var got []string
			for _, e := range d.Events { // newest first
				got = append(got, e.Cause)
			}
			if strings.Join(got, ",") != strings.Join(causes, ",") {
				return fmt.Errorf("%s: event causes %v, want %v (events %+v)", id, got, causes, d.Events)
			}
		}
		return nil
	})
	lab.WaitFor(t, ctx, time.Second, func() error {
		rows, err := influx.Query(ctx, fmt.Sprintf(`from(bucket: %q) |> range(start: -1h)
			|> filter(fn: (r) => r._measurement == "line_event" and r._field == "duration_s")`, influx.Bucket))
		if err != nil {
			return err
		}
		got := map[string]bool{}
		for _, r := range rows {
			got[fmt.Sprint(r["line"])+"/"+fmt.Sprint(r["cause"])] = true
		}
		for _, k := range []string{"L1/line", "L1/customer_premises", "L2/watcher_uplink"} {
			if !got[k] {
				return fmt.Errorf("InfluxDB line_event has no %s point (has %v)", k, got)
			}
		}
		if len(got) != 3 {
			return fmt.Errorf("InfluxDB line_event series %v, want exactly 3", got)
		}
		return nil
	})
}

// bothAgentsReport waits until the controller has the derived config
// applied by both agents.
func bothAgentsReport(ctx context.Context, c *controller.Controller) error {
	for _, id := range []string{"cause-cpe", "cause-watcher"} {
		var v struct {
			Revision uint64 `json:"revision"`
			Status   *struct {
				Applied bool `json:"applied"`
			} `json:"status"`
		}
		if err := getJSON(ctx, c, "/api/v1/agents/"+id+"/config", &v); err != nil {
			return err
		}
		if v.Revision == 0 || v.Status == nil || !v.Status.Applied {
			return fmt.Errorf("%s: config %+v", id, v)
		}
	}
	return nil
}

// waitIncidentCause waits until line's newest incident shows cause.
func waitIncidentCause(t *testing.T, ctx context.Context, c *controller.Controller, line, cause string) {
	t.Helper()
	lab.WaitFor(t, ctx, 250*time.Millisecond, func() error {
		var d struct {
			Incidents []int64 `json:"incidents"`
		}
		if err := getJSON(ctx, c, "/api/v1/lines/"+line, &d); err != nil {
			return err
		}
		if len(d.Incidents) == 0 {
			return fmt.Errorf("%s has no incident", line)
		}
		var in struct {
			Cause     string `json:"cause"`
			CauseNote string `json:"cause_note"`
		}
		if err := getJSON(ctx, c, fmt.Sprintf("/api/v1/incidents/%d", d.Incidents[0]), &in); err != nil {
			return err
		}
		if in.Cause != cause {
			return fmt.Errorf("%s's incident %d: cause %q (%s), want %q", line, d.Incidents[0], in.Cause, in.CauseNote, cause)
		}
		return nil
	})
}

// nsAgent is the vantage-agent binary running inside a namespace.
type nsAgent struct {
	cmd *exec.Cmd
	log string
}

func startNSAgent(t *testing.T, ns *lab.Netns, bin, cfg string) *nsAgent {
	t.Helper()
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "agent.yaml")
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	a := &nsAgent{log: filepath.Join(dir, "agent.log")}
	logFile, err := os.Create(a.log)
	if err != nil {
		t.Fatal(err)
	}
	a.cmd = ns.Command(bin, "--config", cfgFile)
	a.cmd.Stdout, a.cmd.Stderr = logFile, logFile
	if err := a.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if a.cmd.ProcessState == nil {
			_ = a.cmd.Process.Kill()
			_ = a.cmd.Wait()
		}
		logFile.Close()
	})
	return a
}

// stop ends the agent as SIGTERM does (ip netns exec passes it on).
func (a *nsAgent) stop(t *testing.T) {
	t.Helper()
	_ = a.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- a.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = a.cmd.Process.Kill()
		<-done
		t.Fatalf("agent did not stop within 30s\n%s", tailFile(a.log))
	}
}

func tailFile(path string) string {
	b, _ := os.ReadFile(path)
	return tailString(string(b), 3000)
}
