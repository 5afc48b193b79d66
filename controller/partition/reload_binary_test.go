package partition_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/partition"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testinflux"
	"github.com/vantage-net/vantage/internal/testpg"
)

// TestImportReachesRunningControllers runs README's cluster YAML through
// two shipped controllers on a three-server NATS cluster and PostgreSQL,
// then imports a changed inventory with the shipped `inventory import
// --config` of ctl-a while both run: a new PoP (in a partition ctl-b
// owns) with a new agent and line, and a line moved there from another
// PoP. Results published for both lines must show in every controller's
// API as the lines' state, without a restart.
func TestImportReachesRunningControllers(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	pg := testpg.StartOrSkip(t)
	c := startCluster(t, 3)
	db0 := testinflux.Start(t)
	ctx := lab.Deadline(t, 3*time.Minute)
	_, js := connect(t, c.URL())
	_, dbURL, err := pg.CreateDatabase(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	const parts = 16 // README's YAML
	members := []string{"ctl-a", "ctl-b"}
	popA, popB := "pop-a", "pop-b"
	popC := ""
	for i := 0; popC == ""; i++ {
		p := partition.Of(fmt.Sprintf("pop-c%d", i), parts)
		if p != partition.Of(popB, parts) && partition.DesiredOwner(p, members) == "ctl-b" {
			popC = fmt.Sprintf("pop-c%d", i)
		}
	}
	v1 := fmt.Sprintf(`customers:
  - {id: C1, name: One, tier: gold}
elements:
  - {id: %[1]s, kind: pop, name: A, agent: ag-a}
  - {id: %[2]s, kind: pop, name: B, agent: ag-b}
lines:
  - {circuit_id: LA1, customer: C1, upstream_element: %[1]s}
  - {circuit_id: LB1, customer: C1, upstream_element: %[2]s}
  - {circuit_id: LB2, customer: C1, upstream_element: %[2]s}
`, popA, popB)
	v2 := strings.Replace(v1, "lines:\n", fmt.Sprintf("  - {id: %s, kind: pop, name: C, agent: ag-c}\nlines:\n", popC), 1)
	v2 = strings.Replace(v2, "upstream_element: "+popB+"}\n  - {circuit_id: LB2", "upstream_element: "+popC+"}\n  - {circuit_id: LB2", 1)
	v2 += fmt.Sprintf("  - {circuit_id: LC1, customer: C1, upstream_element: %s}\n", popC)
	bin := buildController(t)
	dir := t.TempDir()
	var urls []string
	for _, s := range c.servers {
		urls = append(urls, s.ClientURL())
	}
	readme := readmeClusterYAML(t)
	var logMu sync.Mutex
	var logs bytes.Buffer
	ports := map[string]int{}
	cfgs := map[string]string{}
	for _, id := range members {
		yml := strings.NewReplacer("nats://nats1:4222, nats://nats2:4222, nats://nats3:4222", strings.Join(urls, ", "),
			"id: ctl-1", "id: "+id, "lease: 10s", "lease: 3s").Replace(readme)
		ports[id] = lab.FreePort(t)
		cfgs[id] = filepath.Join(dir, id+".yaml")
		if err := os.WriteFile(cfgs[id], []byte(yml+fmt.Sprintf("http_listen: 127.0.0.1:%d\ndata_dir: %s\ninflux: {url: %s, bucket: %s}\ndetector: {horizon: 5s}\ndatabase: {url: %q}\n",
			ports[id], filepath.Join(dir, id), db0.URL, db0.Bucket, dbURL)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writeFile := func(name, body string) string {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	lastLine(t, bin, "inventory", "import", "--config", cfgs["ctl-a"], writeFile("v1.yaml", v1))
	for _, id := range members {
		cmd := exec.Command(bin, "--config", cfgs[id])
		cmd.Stdout, cmd.Stderr = lockedWriter{&logMu, &logs}, lockedWriter{&logMu, &logs}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	}
	t.Cleanup(func() {
		if t.Failed() {
			logMu.Lock()
			t.Logf("controllers' log (tail):\n%s", tailOf(logs.String(), 6000))
			logMu.Unlock()
		}
	})
	token := strings.TrimSpace(lastLine(t, bin, "token", "--db", dbURL, "create", "--name", "ops", "--role", "ops"))
	lab.WaitFor(t, ctx, 200*time.Millisecond, func() error {
		for _, id := range members {
			st, err := clusterStatus(ports[id], token)
			if err != nil {
				return err
			}
			for p := 0; p < parts; p++ {
				if want := partition.DesiredOwner(p, members); !slices.Contains(st.Owners[want], p) {
					return fmt.Errorf("partition %d not (yet) with %s: %v", p, want, st.Owners)
				}
			}
		}
		return nil
	})

	lastLine(t, bin, "inventory", "import", "--config", cfgs["ctl-a"], writeFile("v2.yaml", v2))
	t.Logf("new PoP %s: partition %d (ctl-b); LB1 moved there from %s (partition %d)", popC, partition.Of(popC, parts),
		popB, partition.Of(popB, parts))
	lab.WaitFor(t, ctx, 500*time.Millisecond, func() error {
		publishPing(t, ctx, js, "ag-c", "LC1", "LB1")
		for _, id := range members {
			for _, line := range []string{"LC1", "LB1"} {
				st, err := lineState(ports[id], token, line)
				if err != nil {
					return err
				}
				if st != "up" {
					return fmt.Errorf("%s: line %s %s, want up", id, line, st)
				}
			}
		}
		return nil
	})
}

// clusterStatus is GET /api/v1/cluster.
func clusterStatus(port int, token string) (partition.Status, error) {
	var st partition.Status
	err := apiGet(port, token, "/api/v1/cluster", &st)
	return st, err
}

// lineState is the state GET /api/v1/lines/{id} shows.
func lineState(port int, token, line string) (string, error) {
	var v struct {
		State string `json:"state"`
	}
	err := apiGet(port, token, "/api/v1/lines/"+line, &v)
	return v.State, err
}

func apiGet(port int, token, path string, v any) error {
	req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1:"+strconv.Itoa(port)+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
