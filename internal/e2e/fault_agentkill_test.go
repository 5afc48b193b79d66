package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testinflux"
)

// Fault test 4: the agent killed with SIGKILL while its spool is full, and
// restarted on the same spool directory.
//
// The first agent is the real vantage-agent binary (a kill -9 needs a
// process of its own). It publishes while NATS is reachable, then its path
// to NATS is cut (a TCP gate in front of the server; the controller and a
// tap stay connected), it spools until the 2 MiB bound and drops the oldest
// results. It is frozen with SIGSTOP at a moment its spool directory did not
// change around a /metrics scrape; the spool package reopens a copy of the
// directory (what the next start replays), which must hold exactly the depth
// and bytes the agent reported; then it is killed with SIGKILL.
//
// The second agent is the real agent assembly in-process on the same spool
// directory, so its counters can be read after a clean stop: it reopens
// exactly the records the first left, keeps dropping while the path is still
// cut, then drains when the gate opens. Asserted, exactly:
//
//   - second agent: spooled at kill + produced == published + dropped (+ left),
//     and its dropped counters agree;
//   - InfluxDB points == published by the first + published by the second;
//   - every message on vantage.results.* (seen by a core-NATS tap) was stored
//     by JetStream (each resend too: no stream-wide de-duplication), resends
//     were byte-identical, and no result (series,
//     timestamp) is in two different messages: InfluxDB's overwrite of an
//     identical point cannot hide a duplicate;
//   - the controller wrote each result once.
//
// What the kill costs is what the README documents: results produced but not
// yet batched into the spool (the last batch_delay) die with the process.
// They are measured at the freeze and bounded, not counted as delivered.
func TestFaultAgentKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("fault test")
	}
	t.Parallel()
	bin := buildBinary(t, "vantage-agent")
	influx := testinflux.Start(t)

	ns := startTestNATS(t, -1, t.TempDir())
	natsAddr := ns.Addr().String()
	ctrlReg := startFaultController(t, influx, t.TempDir(), fmt.Sprintf("nats: {urls: [nats://%s]}", natsAddr))
	tap := agentKillStartTap(t, "nats://"+natsAddr)
	gate := agentKillStartGate(t, natsAddr)

	// 400 targets at 1 s: about 120 kB of results a second, so the 2 MiB
	// spool (the smallest the config allows) is full within ~20 s.
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(web.Close)
	const targets = 400
	var urls []string
	for i := 0; i < targets; i++ {
		urls = append(urls, fmt.Sprintf("%s/t%d", web.URL, i))
	}
	spoolDir := t.TempDir()
	// fsync: never, the weakest policy: the README says a process crash
	// loses nothing spooled whatever the policy, because the page cache
	// outlives the process.
	agentCfg := func(httpListen string) string {
		return fmt.Sprintf(`agent_id: fault-cpe-kill
site: {id: S-1}
http_listen: %s
nats: {urls: [nats://%s], publish_timeout: 2s}
publish: {batch_delay: 100ms}
spool: {dir: %s, max_bytes: 2MiB, fsync: never}
probes:
  - name: portals
    type: http
    interval: 1s
    timeout: 900ms
    labels: {line: L-1, customer: C-1}
    targets: [%s]
`, httpListen, gate.addr(), spoolDir, strings.Join(urls, ", "))
	}

	// First agent: a process, published while the gate is open.
	metricsAddr := fmt.Sprintf("127.0.0.1:%d", lab.FreePort(t))
	p1 := agentKillStartProcess(t, bin, agentCfg(metricsAddr))
	metricsURL := "http://" + metricsAddr + "/metrics"
	agentKillWait(t, p1, 30*time.Second, func() error {
		m, err := agentKillScrape(metricsURL)
		if err != nil {
			return err
		}
		if m.sum["vantage_agent_results_published_total"] < 1000 {
			return fmt.Errorf("first agent published %.0f results", m.sum["vantage_agent_results_published_total"])
		}
		return nil
	})
	gate.set(false)
	t.Log("path to NATS cut; the first agent spools")
	agentKillWait(t, p1, 60*time.Second, func() error {
		m, err := agentKillScrape(metricsURL)
		if err != nil {
			return err
		}
		if d := m.sum["vantage_agent_spool_dropped_total"]; d < 2000 {
			return fmt.Errorf("spool at %.0f bytes, %.0f results dropped so far", m.sum["vantage_agent_spool_bytes"], d)
		}
		return nil
	})

	snap, atKill := agentKillFreeze(t, p1, metricsURL, spoolDir)
	if err := p1.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = p1.cmd.Wait()
	t.Log("first agent killed with SIGKILL")
	if after := agentKillReadSpool(t, spoolDir); after.results != atKill.results || after.bytes != atKill.bytes {
		t.Fatalf("spool changed between SIGSTOP and SIGKILL: %d results %d bytes, then %d results %d bytes",
			atKill.results, atKill.bytes, after.results, after.bytes)
	}
	produced1 := snap.sum["vantage_agent_results_total"]
	published1 := snap.sum["vantage_agent_results_published_total"]
	dropped1 := snap.sum["vantage_agent_spool_dropped_total"]
	lostAtKill := produced1 - published1 - dropped1 - float64(atKill.results)
	t.Logf("first agent at SIGSTOP: produced %.0f = published %.0f + dropped %.0f (%s) + spooled %d (%d messages, %d bytes) + not yet spooled %.0f",
		produced1, published1, dropped1, snap.dropReasons(), atKill.results, len(atKill.msgs), atKill.bytes, lostAtKill)
	if atKill.torn != 0 || atKill.corrupt != 0 {
		t.Errorf("spool left by the kill has damage: %.0f torn, %.0f corrupt records", atKill.torn, atKill.corrupt)
	}
	if dropped1 == 0 || atKill.results == 0 {
		t.Fatalf("the spool was not full at the kill: %d results spooled, %.0f dropped", atKill.results, dropped1)
	}
	// Results produced but still in the result channel or the batcher's
	// pending batch at the freeze die with the process: the README's
	// documented cost, the last batch_delay (100 ms, ~40 results at 400 a
	// second). The bound allows a second's worth for scheduling delays; more
	// would mean results wait unspooled somewhere else. Negative would mean
	// the counters claim more than was produced.
	if lostAtKill < 0 || lostAtKill > targets {
		t.Errorf("first agent: %.0f results produced but neither published, dropped nor spooled at the kill (documented cost: the last batch_delay, here ~40; bound %d)",
			lostAtKill, targets)
	}

	// Second agent: in-process on the same spool, the path still cut.
	a2, reg2 := newAgent(t, agentCfg("127.0.0.1:0"))
	if q := a2.Stats().Queued; q != atKill.results {
		t.Fatalf("second agent reopened the spool with %d results, the first left %d", q, atKill.results)
	}
	if d := counter(t, reg2, "vantage_agent_spool_damaged_records_total"); d != 0 {
		t.Errorf("second agent found %.0f damaged records in the spool", d)
	}
	stop := runAgent(t, a2)
	ctx := lab.Deadline(t, 30*time.Second)
	lab.WaitFor(t, ctx, 250*time.Millisecond, func() error {
		if d := counter(t, reg2, "vantage_agent_spool_dropped_total"); d < 500 {
			return fmt.Errorf("second agent dropped %.0f results so far", d)
		}
		return nil
	})
	gate.set(true)
	t.Log("path to NATS restored")
	waitDrained(t, a2)
	time.Sleep(3 * time.Second) // some live results too
	stop()

	produced2 := counter(t, reg2, "vantage_agent_results_total")
	published2 := counter(t, reg2, "vantage_agent_results_published_total")
	dropped2 := counter(t, reg2, "vantage_agent_spool_dropped_total")
	st := a2.Stats()
	t.Logf("second agent: spooled at kill %d + produced %.0f = published %.0f + dropped %.0f + still spooled %d",
		atKill.results, produced2, published2, dropped2, st.Queued)
	if float64(atKill.results)+produced2 != published2+dropped2+float64(st.Queued) {
		t.Errorf("second agent lost or doubled results: %d spooled at kill + %.0f produced != %.0f published + %.0f dropped + %d spooled (difference %.0f)",
			atKill.results, produced2, published2, dropped2, st.Queued,
			float64(atKill.results)+produced2-published2-dropped2-float64(st.Queued))
	}
	if dropped2 == 0 {
		t.Error("second agent dropped nothing: the spool was not full across the restart")
	}
	if rd := counter(t, reg2, "vantage_agent_results_dropped_total"); rd != dropped2 || float64(st.Dropped) != dropped2 {
		t.Errorf("second agent's drop counters disagree: spool %.0f, results_dropped_total %.0f, stats %d", dropped2, rd, st.Dropped)
	}

	delivered := published1 + published2
	waitPoints(t, influx, []string{"http"}, delivered)
	if got := counter(t, ctrlReg, "vantage_controller_results_ingested_total"); got != delivered {
		t.Errorf("controller wrote %.0f results for %.0f published", got, delivered)
	}
	tap.check(t, delivered, atKill, dropped2)
	if t.Failed() {
		t.Logf("first agent's log (tail):\n%s", p1.logTail())
	}
}
