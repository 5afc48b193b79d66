package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testinflux"
)

// Fault test 5 runs the agent in a process of its own, inside a "CPE"
// network namespace, so that every socket it opens — the first NATS
// connection, each reconnection, the ICMP socket — lives behind the CPE's
// link. An agent in the test process would reconnect from the host's
// namespace (lab.Netns.Do only places sockets opened inside it), straight
// to the controller, and the cut would cut nothing.
//
// The process is this test binary again, running TestLinkCutAgentProcess:
// the real agent package, built as newAgent builds it, which prints its own
// counters on stdout and, after a clean stop, the final ones. (A built
// vantage-agent would take its counters with it when it exits.)

const (
	// linkCutEnv names the agent config file the helper process runs.
	linkCutEnv = "VANTAGE_E2E_LINKCUT_AGENT"
	// linkCutMark starts each line of counters the helper prints.
	linkCutMark = "linkcut-stats "

	linkCutInterval = time.Second
	linkCutTimeout  = 500 * time.Millisecond
	// linkCutHorizon is the detector's lateness horizon. Results spooled
	// during the cut reach the controller only when the agent resumes, and
	// whatever is older than the horizon by then is refused as too late:
	// the outage would start late or not at all. A cut link sends no FIN or
	// RST; the agent drops its connection after 3 unanswered NATS pings (10 s
	// apart), redials with a backoff of at most 45 s, and its sender is
	// woken by the reconnect, so the replay begins at most about 50 s after
	// the link returns: 170 s after the cut began. (With the client's
	// default 2-minute pings it waited for TCP's retransmissions, 227–251 s.)
	// Final events trail by the horizon, so it also sets how long the test
	// waits after the cut.
	linkCutHorizon = 210 * time.Second
	linkCutLine    = "LC-1"
)

// linkCutStats are the agent's own counters at one moment.
type linkCutStats struct {
	At            time.Time `json:"at"`
	Produced      float64   `json:"produced"`
	Published     float64   `json:"published"`
	Dropped       float64   `json:"dropped"`
	Queued        int       `json:"queued"`
	Connected     float64   `json:"connected"`
	Reconnects    float64   `json:"reconnects"`
	PublishErrors float64   `json:"publish_errors"`
	Final         bool      `json:"final"`
}

// TestLinkCutAgentProcess is the agent process of TestFaultLinkCut; run
// without linkCutEnv it does nothing. It runs until its stdin closes.
func TestLinkCutAgentProcess(t *testing.T) {
	cfgFile := os.Getenv(linkCutEnv)
	if cfgFile == "" {
		return
	}
	cfgText, err := os.ReadFile(cfgFile)
	if err != nil {
		t.Fatal(err)
	}
	a, reg := newAgent(t, string(cfgText))
	report := func(final bool) {
		st := a.Stats()
		b, _ := json.Marshal(linkCutStats{At: time.Now(), Produced: counter(t, reg, "vantage_agent_results_total"),
			Published: counter(t, reg, "vantage_agent_results_published_total"), Dropped: float64(st.Dropped),
			Queued: st.Queued, Connected: counter(t, reg, "vantage_agent_nats_connected"),
			Reconnects:    counter(t, reg, "vantage_agent_nats_reconnects_total"),
			PublishErrors: counter(t, reg, "vantage_agent_publish_errors_total"), Final: final})
		fmt.Printf("%s%s\n", linkCutMark, b)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); cancel() }()
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("agent: %v", err)
			}
			report(true)
			return
		case <-tick.C:
			report(false)
		}
	}
}

// linkCutCounterWith reads one labelled series of a counter.
func linkCutCounterWith(t *testing.T, reg *prometheus.Registry, name, label, value string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetName() == label && lp.GetValue() == value {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

// linkCutNumber reads a numeric field of an InfluxDB row (-1 if absent).
func linkCutNumber(v any) float64 {
	switch n := v.(type) {
	case float64:
		return n
	case int64:
		return float64(n)
	}
	return -1
}

// linkCutAgent is the agent process as the test sees it.
type linkCutAgent struct {
	cmd   *exec.Cmd
	stdin io.Closer
	log   string
	done  chan struct{} // stdout closed: the process is gone

	mu    sync.Mutex
	stats []linkCutStats
}

// startLinkCutAgent starts the agent process inside ns with config cfgText.
func startLinkCutAgent(t *testing.T, ns *lab.Netns, cfgText string) *linkCutAgent {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "agent.yaml")
	if err := os.WriteFile(cfgFile, []byte(cfgText), 0o600); err != nil {
		t.Fatal(err)
	}
	a := &linkCutAgent{log: filepath.Join(dir, "agent.log"), done: make(chan struct{})}
	logFile, err := os.Create(a.log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logFile.Close() })
	a.cmd = ns.Command(exe, "-test.run=^TestLinkCutAgentProcess$", "-test.v", "-test.timeout=10m")
	a.cmd.Env = append(os.Environ(), linkCutEnv+"="+cfgFile)
	a.cmd.Stderr = logFile
	stdin, err := a.cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := a.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	a.stdin = stdin
	if err := a.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(a.done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line, ok := strings.CutPrefix(sc.Text(), linkCutMark)
			if !ok {
				continue
			}
			var st linkCutStats
			if json.Unmarshal([]byte(line), &st) == nil {
				a.mu.Lock()
				a.stats = append(a.stats, st)
				a.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		_ = a.stdin.Close()
		select {
		case <-a.done:
		case <-time.After(30 * time.Second):
			_ = a.cmd.Process.Kill()
		}
		_ = a.cmd.Wait()
	})
	return a
}

// last returns the newest counters (zero before the first report).
func (a *linkCutAgent) last() linkCutStats {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.stats) == 0 {
		return linkCutStats{}
	}
	return a.stats[len(a.stats)-1]
}

// first returns the earliest report that satisfies ok.
func (a *linkCutAgent) first(ok func(linkCutStats) bool) (linkCutStats, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, st := range a.stats {
		if ok(st) {
			return st, true
		}
	}
	return linkCutStats{}, false
}

// stop closes the agent's stdin, which stops it as SIGTERM would, and
// returns its final counters.
func (a *linkCutAgent) stop(t *testing.T) linkCutStats {
	t.Helper()
	_ = a.stdin.Close()
	select {
	case <-a.done:
	case <-time.After(30 * time.Second):
		t.Fatal("agent process did not stop within 30s")
	}
	if err := a.cmd.Wait(); err != nil {
		t.Errorf("agent process: %v\n%s", err, a.logTail())
	}
	st := a.last()
	if !st.Final {
		t.Fatalf("agent process printed no final counters\n%s", a.logTail())
	}
	return st
}

func (a *linkCutAgent) logTail() string {
	b, _ := os.ReadFile(a.log)
	return tailString(string(b), 4000)
}

// Fault test 5: the agent's only path to NATS, which is also the monitored
// line, cut for two minutes. The agent spools and replays oldest first with
// the original timestamps once the link is back; the detector places the
// late results where they happened and records one outage whose start and
// end are within a probe interval (plus timeout) of the real cut, by the
// test's clock — not a flap storm, not "unknown", not an outage at replay
// time. And no result is lost or written twice on the way.
func TestFaultLinkCut(t *testing.T) {
	if testing.Short() {
		t.Skip("fault test")
	}
	t.Parallel()
	lab.NeedRoot(t)
	lab.NeedBinary(t, "ip", "iproute2")
	began := time.Now()
	influx := testinflux.Start(t)

	// The CPE hangs from the host by one veth pair: the host's end plays
	// the PoP (it holds the controller's NATS address and is the line's
	// ping target), so setting it down fails the line and cuts NATS alike.
	cpe := lab.NewNetns(t, "cpe")
	hostAddr, cpeAddr := randomLink()
	hostIf, cpeIf := lab.Veth(t, nil, hostAddr+"/30", cpe, cpeAddr+"/30")
	// Static neighbours both ways, as in the PoP lab: after a long cut the
	// kernel's ARP entry is FAILED and re-resolving it delays recovery; the
	// test measures the agent and the detector, not ARP. The host's entry
	// goes with its link (admin down flushes it), so it is set again.
	hostMAC := lab.Run(t, "cat", "/sys/class/net/"+hostIf+"/address")
	cpeMAC := cpe.Run("cat", "/sys/class/net/"+cpeIf+"/address")
	pinHost := func() {
		lab.Run(t, "ip", "neigh", "replace", cpeAddr, "lladdr", cpeMAC, "dev", hostIf, "nud", "permanent")
	}
	pinHost()
	cpe.Run("ip", "neigh", "replace", hostAddr, "lladdr", hostMAC, "dev", cpeIf, "nud", "permanent")

	dataDir := t.TempDir()
	// The line starts at the CPE's site, where the agent runs: only an
	// assigned agent's results are line evidence (controller/evidence).
	importInventory(t, dataDir, fmt.Sprintf(`customers:
  - {id: C-LC, name: Link Cut Ltd, tier: gold}
sites:
  - {id: S-LC, customer: C-LC, kind: cpe, name: CPE, agent: linkcut-cpe}
lines:
  - {circuit_id: %s, customer: C-LC, a_end_site: S-LC}
`, linkCutLine))
	ctrl, ctrlReg, _, _ := runController(t, fmt.Sprintf(`http_listen: 127.0.0.1:0
data_dir: %s
nats: {listen: "%s:-1", agent_auth: false}
influx: {url: %s, bucket: %s, request_timeout: 5s}
ingest: {fetch_batch: 50, max_ack_pending: 500, ack_wait: 10s}
api_auth: true
detector: {horizon: %s}
`, dataDir, hostAddr, influx.URL, influx.Bucket, linkCutHorizon))
	token := createToken(t, filepath.Join(dataDir, "vantage.db"), "--name", "e2e-linkcut", "--role", "admin")

	agent := startLinkCutAgent(t, cpe, fmt.Sprintf(`agent_id: linkcut-cpe
site: {id: S-LC}
http_listen: 127.0.0.1:0
nats: {urls: [%s], publish_timeout: 2s}
publish: {batch_delay: 100ms}
spool: {dir: %s, fsync: always}
probes:
  - name: uplink
    type: ping
    interval: %s
    timeout: %s
    labels: {line: %s, customer: C-LC}
    targets: [%s]
    options: {count: 3, packet_interval: 50ms}
`, ctrl.NATSURL(), t.TempDir(), linkCutInterval, linkCutTimeout, linkCutLine, hostAddr))
	defer func() {
		if t.Failed() {
			t.Logf("agent log:\n%s", agent.logTail())
		}
	}()

	type event struct {
		ID        int64     `json:"id"`
		Kind      string    `json:"kind"`
		Start     time.Time `json:"start"`
		End       time.Time `json:"end"`
		DurationS float64   `json:"duration_s"`
		Final     bool      `json:"final"`
	}
	type lineDetail struct {
		apiLine
		Since  time.Time `json:"since"`
		Events []event   `json:"events"`
	}
	getLine := func(ctx context.Context) (lineDetail, error) {
		var d lineDetail
		err := getJSONAs(ctx, ctrl, token, "/api/v1/lines/"+linkCutLine, &d)
		return d, err
	}

	// The line is up and results flow before the cut.
	ctx := lab.Deadline(t, 10*time.Minute)
	lab.WaitFor(t, ctx, 250*time.Millisecond, func() error {
		d, err := getLine(ctx)
		if err != nil {
			return err
		}
		if d.State != "up" || agent.last().Published == 0 {
			return fmt.Errorf("line %s is %q, agent published %.0f", linkCutLine, d.State, agent.last().Published)
		}
		return nil
	})
	time.Sleep(5 * time.Second)

	lab.SetLink(t, nil, hostIf, false)
	cutAt := time.Now()
	t.Logf("link down at %s (%.1f s into the test), for %s", cutAt.Format(time.StampMilli), cutAt.Sub(began).Seconds(), outage)
	time.Sleep(outage / 2)
	if d, err := getLine(ctx); err == nil {
		t.Logf("halfway through the cut the controller shows %s as %q since %s", linkCutLine, d.State, d.Since.Format(time.StampMilli))
	}
	time.Sleep(time.Until(cutAt.Add(outage)))
	during := agent.last()
	lab.SetLink(t, nil, hostIf, true)
	pinHost()
	upAt := time.Now()
	t.Logf("link up at %s after %.1f s; agent: %+v", upAt.Format(time.StampMilli), upAt.Sub(cutAt).Seconds(), during)
	if during.Queued < int(outage/linkCutInterval)*9/10 {
		t.Errorf("%d results spooled during the %s cut, want about %d", during.Queued, outage, int(outage/linkCutInterval))
	}

	// The agent resumes and replays: how long it took is what decides
	// whether the horizon covers the spool.
	lab.WaitFor(t, ctx, 250*time.Millisecond, func() error {
		if st := agent.last(); st.At.Before(upAt) || st.Queued > 0 {
			return fmt.Errorf("agent still has %d results spooled", st.Queued)
		}
		return nil
	})
	resumed, _ := agent.first(func(st linkCutStats) bool { return st.At.After(upAt) && st.Published > during.Published })
	drained, _ := agent.first(func(st linkCutStats) bool { return st.At.After(upAt) && st.Queued == 0 })
	t.Logf("agent resumed publishing %.1f s after the link returned, spool empty after %.1f s (%.0f reconnects, %.0f failed publish attempts)",
		resumed.At.Sub(upAt).Seconds(), drained.At.Sub(upAt).Seconds(), drained.Reconnects, drained.PublishErrors)
	if late := resumed.At.Sub(cutAt); late > linkCutHorizon-10*time.Second {
		t.Errorf("the replay began %.0f s after the cut: too close to the %s horizon", late.Seconds(), linkCutHorizon)
	}
	lab.WaitFor(t, ctx, 250*time.Millisecond, func() error {
		if got, want := counter(t, ctrlReg, "vantage_controller_results_ingested_total"), agent.last().Published; got < want {
			return fmt.Errorf("controller ingested %.0f of %.0f results", got, want)
		}
		return nil
	})
	// The provisional view is rebuilt from the replay within a second or
	// two: up again since the link came back, not unknown for good.
	slack := linkCutInterval + linkCutTimeout
	upCtx, cancelUp := context.WithTimeout(ctx, 15*time.Second)
	defer cancelUp()
	lab.WaitFor(t, upCtx, 250*time.Millisecond, func() error {
		d, err := getLine(upCtx)
		if err != nil {
			return err
		}
		if d.State != "up" || d.Since.Before(cutAt) {
			return fmt.Errorf("after the replay the controller shows %s as %q since %s", linkCutLine, d.State, d.Since.Format(time.StampMilli))
		}
		t.Logf("after the replay the controller shows %s as %q since %s (%+.3f s from the link's return)",
			linkCutLine, d.State, d.Since.Format(time.StampMilli), d.Since.Sub(upAt).Seconds())
		if e := d.Since.Sub(upAt); e.Abs() > slack {
			t.Errorf("%s up again since %s, the link returned at %s", linkCutLine, d.Since.Format(time.StampMilli), upAt.Format(time.StampMilli))
		}
		return nil
	})

	// The replayed spool shows the outage at once as a live event (final
	// false), counted; it becomes final under the same id once the horizon
	// has passed its end.
	var d lineDetail
	var liveID int64
	lab.WaitFor(t, ctx, 250*time.Millisecond, func() error {
		var err error
		if d, err = getLine(ctx); err != nil {
			return err
		}
		for _, e := range d.Events {
			if e.Kind == "outage" && !e.End.IsZero() {
				liveID = e.ID
				if e.Final || d.Outages24h != 1 {
					t.Errorf("after the replay the outage is %+v with %d outages counted, want it live and counted", e, d.Outages24h)
				}
				return nil
			}
		}
		return fmt.Errorf("no outage yet (%d events): %+v", len(d.Events), d.Events)
	})
	lab.WaitFor(t, ctx, time.Second, func() error {
		var err error
		if d, err = getLine(ctx); err != nil {
			return err
		}
		for _, e := range d.Events {
			if e.Kind == "outage" && e.Final {
				if e.ID != liveID {
					t.Errorf("the final outage is event %d, the live one was %d", e.ID, liveID)
				}
				return nil
			}
		}
		return fmt.Errorf("no final outage yet (%d events, horizon %s): %+v", len(d.Events), linkCutHorizon, d.Events)
	})
	time.Sleep(3 * time.Second) // a flap storm behind it would be sealed by now
	d, err := getLine(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Events) != 1 || d.Outages24h != 1 || d.Flaps24h != 0 {
		t.Errorf("line %s: %d outages, %d flaps, events %+v; want exactly one outage", linkCutLine, d.Outages24h, d.Flaps24h, d.Events)
	}
	for _, e := range d.Events {
		if e.Kind != "outage" {
			continue
		}
		startErr, endErr := e.Start.Sub(cutAt), e.End.Sub(upAt)
		t.Logf("outage %s – %s (%.1f s); start error %+.3f s, end error %+.3f s (allowed ±%s)",
			e.Start.Format(time.StampMilli), e.End.Format(time.StampMilli), e.DurationS, startErr.Seconds(), endErr.Seconds(), slack)
		if startErr.Abs() > slack || endErr.Abs() > slack {
			t.Errorf("outage %s – %s, the link was down %s – %s", e.Start.Format(time.StampMilli), e.End.Format(time.StampMilli),
				cutAt.Format(time.StampMilli), upAt.Format(time.StampMilli))
		}
		if was := upAt.Sub(cutAt).Seconds(); math.Abs(e.DurationS-was) > slack.Seconds() {
			t.Errorf("outage of %.1f s recorded as %.1f s", was, e.DurationS)
		}
	}
	if d.State != "up" {
		t.Errorf("line %s is %q after the replay, want up", linkCutLine, d.State)
	}
	if n := linkCutCounterWith(t, ctrlReg, "vantage_controller_health_evidence_total", "verdict", "too_late"); n != 0 {
		t.Errorf("the detector refused %.0f results as too late", n)
	}
	// The line was unknown, not down, while the agent was cut off, so no
	// incident opened then; the final outage opens one, already closed,
	// covering the real cut (controller/linehealth/late.go).
	var inc struct{ Incidents []apiIncident }
	if err := getJSONAs(ctx, ctrl, token, "/api/v1/incidents", &inc); err != nil {
		t.Fatal(err)
	}
	if len(inc.Incidents) != 1 {
		t.Fatalf("%d incidents, want the outage's one: %+v", len(inc.Incidents), inc.Incidents)
	}
	var det struct {
		State string    `json:"state"`
		Start time.Time `json:"start"`
		End   time.Time `json:"end"`
	}
	if err := getJSONAs(ctx, ctrl, token, fmt.Sprintf("/api/v1/incidents/%d", inc.Incidents[0].ID), &det); err != nil {
		t.Fatal(err)
	}
	t.Logf("incident %d (%s): %s – %s; start error %+.3f s, end error %+.3f s", inc.Incidents[0].ID, det.State,
		det.Start.Format(time.StampMilli), det.End.Format(time.StampMilli), det.Start.Sub(cutAt).Seconds(), det.End.Sub(upAt).Seconds())
	if det.State != "closed" || det.Start.Sub(cutAt).Abs() > slack || det.End.Sub(upAt).Abs() > slack {
		t.Errorf("incident %+v, want closed and within %s of the cut %s – %s", det, slack,
			cutAt.Format(time.StampMilli), upAt.Format(time.StampMilli))
	}
	// The same outage reached InfluxDB's line_event once.
	events, err := influx.Points(ctx, "line_event")
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0]["kind"] != "outage" || events[0]["line"] != linkCutLine {
		t.Errorf("line_event points %v, want one outage of %s", events, linkCutLine)
	}

	// Every result the agent produced is in InfluxDB once, the cut's
	// failed rounds at their own time.
	final := agent.stop(t)
	t.Logf("agent produced %.0f, published %.0f, still spooled %d, dropped %.0f", final.Produced, final.Published, final.Queued, final.Dropped)
	if final.Dropped != 0 || final.Queued != 0 || final.Published != final.Produced {
		t.Errorf("agent lost results: produced %.0f, published %.0f, spooled %d, dropped %.0f",
			final.Produced, final.Published, final.Queued, final.Dropped)
	}
	waitPoints(t, influx, []string{"ping"}, final.Produced)
	if got := counter(t, ctrlReg, "vantage_controller_results_ingested_total"); got != final.Produced {
		t.Errorf("controller wrote %.0f results for %.0f produced: duplicates or losses", got, final.Produced)
	}
	pings, err := influx.Points(ctx, "ping")
	if err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, p := range pings {
		at, _ := p["_time"].(time.Time)
		if linkCutNumber(p["recv"]) == 0 && at.After(cutAt.Add(-slack)) && at.Before(upAt.Add(slack)) {
			failed++
		}
	}
	t.Logf("%d failed rounds stored at their own time inside the cut", failed)
	if want := int(upAt.Sub(cutAt) / linkCutInterval); failed < want-2 || failed > want+2 {
		t.Errorf("%d failed rounds stored inside the cut, want about %d", failed, want)
	}
	t.Logf("test took %.0f s", time.Since(began).Seconds())
}
