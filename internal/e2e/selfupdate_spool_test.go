package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/agent/remote"
	"github.com/vantage-net/vantage/controller"
	"github.com/vantage-net/vantage/controller/release"
	"github.com/vantage-net/vantage/internal/lab"
)

// spoolSwap is cpe-6 of TestSelfUpdate: it boots from a cached remote
// config that already names release v2, with its NATS link cut (a closed
// gate) and its download held back until its spool holds results, so the
// exec happens with results waiting on disk.
type spoolSwap struct {
	agent       *serviceAgent
	gate        *agentKillGate
	metricsPort int
}

func startSpoolSwapAgent(t *testing.T, ctrl *controller.Controller, v1, pub, relDir string) *spoolSwap {
	t.Helper()
	key, err := parsePub(pub)
	if err != nil {
		t.Fatal(err)
	}
	rel, err := release.NewStore(relDir, key).Get("linux", "amd64", "v2")
	if err != nil {
		t.Fatal(err)
	}
	s := &spoolSwap{gate: agentKillStartGate(t, strings.TrimPrefix(ctrl.NATSURL(), "nats://")), metricsPort: lab.FreePort(t)}
	s.gate.set(false)
	// A slow link: the download is answered once three results wait in
	// the spool (the agent cannot send them: the gate is closed).
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := lab.Deadline(t, 30*time.Second)
		for ctx.Err() == nil && s.produced() < 3 {
			time.Sleep(100 * time.Millisecond)
		}
		resp, err := http.Get("http://" + ctrl.HTTPAddr() + "/releases/linux/amd64/v2")
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	}))
	t.Cleanup(slow.Close)
	dir := t.TempDir()
	cache := filepath.Join(dir, "remote.yaml")
	doc := fmt.Sprintf(`agent_id: cpe-6
site: {id: S6}
probes:
  - name: lines
    type: ping
    interval: 500ms
    options: {count: 1}
    targets:
      - {address: 127.0.0.6, labels: {line: L6, customer: C1, site: S6}}
release: {version: v2, url: %s/releases/linux/amd64/v2, sha256: %s, size: %d, signature: %q}
`, slow.URL, rel.SHA256, rel.Size, rel.Signature)
	if err := remote.SaveCache(cache, "cpe-6", 1, []byte(doc)); err != nil {
		t.Fatal(err)
	}
	s.agent = startServiceAgent(t, "cpe-6", v1, fmt.Sprintf(`agent_id: cpe-6
nats: {urls: [nats://%s]}
http_listen: 127.0.0.1:%d
heartbeat_interval: 1s
publish: {batch_delay: 50ms}
spool: {dir: %s}
remote_config: {enabled: true, cache_file: %s}
update: {public_key: %q, health_deadline: 30s, timeout: 40s}
probes: []
`, s.gate.addr(), s.metricsPort, filepath.Join(dir, "spool"), cache, pub))
	return s
}

var resultsTotal = regexp.MustCompile(`(?m)^vantage_agent_results_total\{[^}]*\} (\d+)`)

// produced is the running process's vantage_agent_results_total (0 when
// it cannot be read).
func (s *spoolSwap) produced() int {
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", s.metricsPort))
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	n := 0
	for _, m := range resultsTotal.FindAllStringSubmatch(string(b), -1) {
		v, _ := strconv.Atoi(m[1])
		n += v
	}
	return n
}

// finish waits until the v1 process ended with results left in its spool,
// then opens the gate for the v2 process to send them.
func (s *spoolSwap) finish(t *testing.T, ctx context.Context) {
	t.Helper()
	lab.WaitFor(t, ctx, 100*time.Millisecond, func() error {
		_, _, _, left, runs := s.agent.account()
		if runs == 0 {
			return fmt.Errorf("cpe-6 v1 has not stopped for the swap\n%s", tailString(s.agent.log(), 3000))
		}
		if left == 0 {
			t.Fatalf("cpe-6 stopped for the swap with nothing in its spool: the test proves nothing\n%s", tailString(s.agent.log(), 3000))
		}
		t.Logf("cpe-6 v1 stopped for the swap with %d results in its spool", left)
		return nil
	})
	if !strings.Contains(s.agent.log(), "running the new version on trial") {
		lab.WaitFor(t, ctx, 100*time.Millisecond, func() error {
			if !strings.Contains(s.agent.log(), "running the new version on trial") {
				return fmt.Errorf("cpe-6 v2 not started")
			}
			return nil
		})
	}
	s.gate.set(true)
}
