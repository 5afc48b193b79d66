package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/agent/remote"
	"github.com/vantage-net/vantage/controller/release"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testinflux"
)

// TestSelfUpdate: the real controller holds signed releases and four
// rollouts; five real agent processes, built as v1, run under a stand-in
// service manager that restarts whatever binary sits at their path.
//
//   - rollout good (v2, cpe-1 and cpe-2, 50% canaries): one canary updates
//     first while the other is offered nothing, then both run v2; each
//     swapped binary keeps v1 as .prev.
//   - rollout bad (v3, a build that exits at once, cpe-3): the agent execs
//     it, it dies, the service manager starts v1 again, which rolls the
//     trial back; the rollout pauses and v3 is offered no more.
//   - rollout tampered (v4 signed, then a byte of the stored binary
//     flipped, cpe-4): refused on its checksum, never run.
//   - rollout wrongkey (v2, cpe-5, which pins another key): refused on its
//     signature, nothing downloaded to run.
//   - cpe-6 swaps to v2 while its NATS link is cut, so results wait in its
//     spool at the exec; the v2 process sends them once the link is back.
//
// Across every swap the agents' spools lose nothing: the results each agent
// produced over all its processes are exactly the results seen on NATS.
func TestSelfUpdate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds agents, needs InfluxDB")
	}
	if os.Geteuid() != 0 {
		if os.Getenv("VANTAGE_REQUIRE_LAB") == "1" {
			t.Fatal("needs root: the agents ping their lines with raw ICMP")
		}
		t.Skip("needs root: the agents ping their lines with raw ICMP")
	}
	t.Parallel()
	build := t.TempDir()
	v1 := buildAgentVersion(t, build, "v1", "")
	v2 := buildAgentVersion(t, build, "v2", "")
	v3 := buildAgentVersion(t, build, "v3", "vantage_e2e_exit_at_start")

	// Keys and releases, with the release command's own code.
	keys := t.TempDir()
	relDir := filepath.Join(t.TempDir(), "releases")
	run := func(args ...string) string {
		var out, errOut bytes.Buffer
		err := release.Command(args, &out, &errOut, func(dir, pub, _ string) (*release.Store, error) {
			k, err := parsePub(pub)
			return release.NewStore(dir, k), err
		})
		if err != nil {
			t.Fatalf("release %v: %v\n%s", args, err, errOut.String())
		}
		return out.String()
	}
	run("keygen", "--out", filepath.Join(keys, "signing.key"))
	run("keygen", "--out", filepath.Join(keys, "other.key"))
	pub := readLine(t, filepath.Join(keys, "signing.key.pub"))
	otherPub := readLine(t, filepath.Join(keys, "other.key.pub"))
	add := func(bin, version string) {
		run("add", "--dir", relDir, "--public-key", pub, "--arch", "amd64", "--version", version,
			"--key", filepath.Join(keys, "signing.key"), bin)
	}
	add(v2, "v2")
	add(v3, "v3")
	add(v2, "v4")
	flipByte(t, filepath.Join(relDir, "linux", "amd64", "v4", "vantage-agent"))
	// A signature by another key is refused when added: the controller
	// never offers what its agents would refuse.
	sig := strings.TrimSpace(run("sign", "--arch", "amd64", "--version", "v5", "--key", filepath.Join(keys, "other.key"), v2))
	sigFile := filepath.Join(keys, "v5.sig")
	_ = os.WriteFile(sigFile, []byte(sig), 0o600)
	if err := release.Command([]string{"add", "--dir", relDir, "--public-key", pub, "--arch", "amd64", "--version", "v5", "--sig", sigFile, v2},
		io.Discard, io.Discard, func(dir, p, _ string) (*release.Store, error) {
			k, err := parsePub(p)
			return release.NewStore(dir, k), err
		}); err == nil {
		t.Fatal("release add accepted a signature by another key")
	}

	influx := testinflux.Start(t)
	dataDir := t.TempDir()
	inv := "customers:\n  - {id: C1, name: One, tier: gold}\nsites:\n"
	for i := 1; i <= 6; i++ {
		inv += fmt.Sprintf("  - {id: S%d, customer: C1, kind: cpe, name: Site %d, agent: cpe-%d}\n", i, i, i)
	}
	inv += "lines:\n"
	for i := 1; i <= 6; i++ {
		inv += fmt.Sprintf("  - {circuit_id: L%d, customer: C1, a_end_site: S%d, probe_address: 127.0.0.%d}\n", i, i, i)
	}
	importInventory(t, dataDir, inv)
	port := lab.FreePort(t)
	ctrl := startControllerText(t, fmt.Sprintf(`http_listen: 127.0.0.1:%d
data_dir: %s
nats: {listen: "127.0.0.1:-1", agent_auth: false}
influx: {url: %s, bucket: %s}
ingest: {fetch_batch: 50, max_ack_pending: 500}
remote_config: {enabled: true, refresh: 1s, ping: {interval: 500ms}}
releases:
  dir: %s
  public_key: %q
  base_url: http://127.0.0.1:%d
  rollouts:
    - {name: good, version: v2, agents: [cpe-1, cpe-2], canary_percent: 50, max_failures: 1, soak: 4s}
    - {name: bad, version: v3, agents: [cpe-3], canary_percent: 100}
    - {name: tampered, version: v4, agents: [cpe-4], canary_percent: 100}
    - {name: wrongkey, version: v2, agents: [cpe-5], canary_percent: 100}
    - {name: spool, version: v2, agents: [cpe-6], canary_percent: 100}
`, port, dataDir, influx.URL, influx.Bucket, relDir, pub, port))
	tap := agentKillStartTap(t, ctrl.NATSURL())

	agents := map[string]*serviceAgent{}
	for i := 1; i <= 5; i++ {
		id := fmt.Sprintf("cpe-%d", i)
		key := pub
		if id == "cpe-5" {
			key = otherPub
		}
		dir := t.TempDir()
		agents[id] = startServiceAgent(t, id, v1, fmt.Sprintf(`agent_id: %s
nats: {urls: [%s]}
http_listen: 127.0.0.1:0
heartbeat_interval: 1s
publish: {batch_delay: 50ms}
spool: {dir: %s}
remote_config: {enabled: true, cache_file: %s}
update: {public_key: %q, health_deadline: 20s, timeout: 20s}
probes: []
`, id, ctrl.NATSURL(), filepath.Join(dir, "spool"), filepath.Join(dir, "remote.yaml"), key))
	}
	swapWithSpool := startSpoolSwapAgent(t, ctrl, v1, pub, relDir)
	agents["cpe-6"] = swapWithSpool.agent
	logs := func() string {
		var b strings.Builder
		for _, id := range []string{"cpe-1", "cpe-2", "cpe-3", "cpe-4", "cpe-5", "cpe-6"} {
			fmt.Fprintf(&b, "--- %s\n%s\n", id, tailString(agents[id].log(), 2500))
		}
		return b.String()
	}
	ctx := lab.Deadline(t, 100*time.Second)
	fleet := func() (map[string]fleetEntry, error) {
		var v struct {
			Agents []fleetEntry `json:"agents"`
		}
		err := getJSON(ctx, ctrl, "/api/v1/agents", &v)
		m := map[string]fleetEntry{}
		for _, a := range v.Agents {
			m[a.ID] = a
		}
		return m, err
	}
	wait := func(what string, cond func(map[string]fleetEntry) error) {
		t.Helper()
		var last error
		for ctx.Err() == nil {
			f, err := fleet()
			if err == nil {
				if last = cond(f); last == nil {
					return
				}
			} else {
				last = err
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Fatalf("%s: %v\n%s", what, last, logs())
	}

	// cpe-6's link comes back as soon as v2 runs on trial with results in
	// its spool: its trial deadline runs from the exec, so the gate must
	// not wait for the checks of the other agents below, which take tens
	// of seconds under CI's parallel load.
	swapWithSpool.finish(t, ctx)

	// Canary first: one of cpe-1/cpe-2 runs v2 while the other is offered
	// nothing; then both.
	var canary, rest string
	wait("a canary on v2", func(f map[string]fleetEntry) error {
		for _, p := range [][2]string{{"cpe-1", "cpe-2"}, {"cpe-2", "cpe-1"}} {
			c, o := f[p[0]], f[p[1]]
			if c.Version == "v2" && c.DesiredVersion == "v2" {
				if o.Version != "v1" || o.DesiredVersion != "" {
					return fmt.Errorf("canary %s on v2 but %s is %s offered %q: not staged", p[0], p[1], o.Version, o.DesiredVersion)
				}
				canary, rest = p[0], p[1]
				return nil
			}
		}
		return fmt.Errorf("cpe-1 %+v, cpe-2 %+v", f["cpe-1"], f["cpe-2"])
	})
	wait("all of rollout good on v2, committed", func(f map[string]fleetEntry) error {
		for _, id := range []string{canary, rest} {
			a := f[id]
			if a.Version != "v2" || a.Update == nil || a.Update.State != "committed" {
				return fmt.Errorf("%s: version %s, update %+v", id, a.Version, a.Update)
			}
		}
		return nil
	})
	for _, id := range []string{canary, rest} {
		if !bytes.Equal(agents[id].file("vantage-agent"), mustRead(t, v2)) || !bytes.Equal(agents[id].file("vantage-agent.prev"), mustRead(t, v1)) {
			t.Errorf("%s: after commit the binary must be v2 with v1 kept as .prev", id)
		}
	}

	// The release that dies at once: rolled back, remembered, paused.
	wait("v3 rolled back on cpe-3", func(f map[string]fleetEntry) error {
		a := f["cpe-3"]
		if a.Version != "v1" || a.Update == nil || a.Update.State != "rolled_back" || !slices.Contains(a.Update.Failed, "v3") || a.DesiredVersion != "" {
			return fmt.Errorf("cpe-3: version %s, desired %q, update %+v", a.Version, a.DesiredVersion, a.Update)
		}
		return nil
	})
	if !strings.Contains(agents["cpe-3"].log(), "exited: exit status 3") {
		t.Errorf("cpe-3 never ran the v3 build that exits at once:\n%s", tailString(agents["cpe-3"].log(), 3000))
	}
	// Tampered and wrongly signed: refused, never run, rollouts paused.
	wait("tampered and wrongly signed releases refused", func(f map[string]fleetEntry) error {
		for id, want := range map[string]string{"cpe-4": "sha256", "cpe-5": "signature does not verify"} {
			a := f[id]
			if a.Version != "v1" || a.Update == nil || a.Update.State != "refused" || !strings.Contains(a.Update.Error, want) || a.DesiredVersion != "" {
				return fmt.Errorf("%s: version %s, desired %q, update %+v (want refused: %s)", id, a.Version, a.DesiredVersion, a.Update, want)
			}
		}
		return nil
	})
	for _, id := range []string{"cpe-3", "cpe-4", "cpe-5"} {
		if !bytes.Equal(agents[id].file("vantage-agent"), mustRead(t, v1)) || agents[id].file("vantage-agent.next") != nil {
			t.Errorf("%s: the v1 binary must stay, with no candidate left", id)
		}
	}
	metrics := scrape(t, "http://"+ctrl.HTTPAddr()+"/metrics")
	for _, r := range []string{"bad", "tampered", "wrongkey"} {
		if !strings.Contains(metrics, `vantage_controller_rollout_paused{rollout="`+r+`"} 1`) {
			t.Errorf("rollout %s not paused", r)
		}
	}
	if !strings.Contains(metrics, `vantage_controller_rollout_paused{rollout="good"} 0`) {
		t.Error("rollout good paused")
	}

	// cpe-6 swapped with results in its spool: they went over with it.
	wait("cpe-6 on v2 after a swap with a full spool", func(f map[string]fleetEntry) error {
		a := f["cpe-6"]
		if a.Version != "v2" || a.Update == nil || a.Update.State != "committed" {
			return fmt.Errorf("cpe-6: version %s, update %+v", a.Version, a.Update)
		}
		return nil
	})

	// Nothing lost across the swaps: stop every agent (SIGTERM, NATS up,
	// so the last process drains), then each agent's processes' results
	// produced add up to what went over NATS.
	for _, a := range agents {
		a.stop()
	}
	for id, a := range agents {
		produced, published, dropped, left, runs := a.account()
		t.Logf("%s: %d runs, produced %d, published %d, dropped %d, left %d", id, runs, produced, published, dropped, left)
		if dropped != 0 || left != 0 || produced == 0 || published != produced {
			t.Errorf("%s over %d runs: produced %d, published %d, dropped %d, left %d", id, runs, produced, published, dropped, left)
		}
		lab.WaitFor(t, ctx, 100*time.Millisecond, func() error {
			if n := tap.count(id); n != produced {
				return fmt.Errorf("%s: %d results on NATS, %d produced over %d runs", id, n, produced, runs)
			}
			return nil
		})
		if id == canary || id == rest {
			if runs < 2 {
				t.Errorf("%s: %d runs; the swap should have ended one", id, runs)
			}
		}
	}
}

type fleetEntry struct {
	ID             string               `json:"id"`
	Version        string               `json:"version"`
	DesiredVersion string               `json:"desired_version"`
	Update         *remote.UpdateStatus `json:"update"`
}

func readLine(t *testing.T, path string) string {
	t.Helper()
	return strings.TrimSpace(string(mustRead(t, path)))
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
