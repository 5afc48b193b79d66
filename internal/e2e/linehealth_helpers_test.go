package e2e

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/vantage-net/vantage/controller"
	"github.com/vantage-net/vantage/controller/apiauth"
	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/internal/testinflux"
)

// importInventory loads YAML inventory text into the database the
// controller with this data_dir will open, as `inventory import` does.
func importInventory(t *testing.T, dataDir, yamlText string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "inventory.yaml")
	if err := os.WriteFile(file, []byte(yamlText), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := inventory.ImportCommand(context.Background(), filepath.Join(dataDir, "vantage.db"), []string{file}, io.Discard); err != nil {
		t.Fatal(err)
	}
}

// startControllerWith is startController with extra config keys (detector
// thresholds), so the pipeline test's harness stays as it is.
func startControllerWith(t *testing.T, influx *testinflux.Server, dataDir, extra string) *controller.Controller {
	t.Helper()
	cfgText := fmt.Sprintf(`http_listen: 127.0.0.1:0
data_dir: %s
nats: {listen: "127.0.0.1:-1", agent_auth: false}
influx: {url: %s, bucket: %s}
ingest: {fetch_batch: 50, max_ack_pending: 500}
%s`, dataDir, influx.URL, influx.Bucket, extra)
	return startControllerText(t, cfgText)
}

// getJSON fetches an API path from the controller into v.
func getJSON(ctx context.Context, c *controller.Controller, path string, v any) error {
	tok, _ := apiTokens.Load(c)
	s, _ := tok.(string)
	return getJSONAs(ctx, c, s, path, v)
}

// apiTokens holds an admin token per controller started by
// startControllerWith: the API refuses requests without one.
var apiTokens sync.Map

// getJSONAs fetches an API path with the given bearer token.
func getJSONAs(ctx context.Context, c *controller.Controller, token, path string, v any) error {
	return getAPIToken(ctx, "http://"+c.HTTPAddr(), path, token, v)
}

// randomLink returns the two ends of a random /30 in 198.18.128.0/17, so a
// host-side veth of this test never meets another test's (the SNMP lab
// takes 198.19.0.0/16 the same way).
func randomLink() (host, far string) {
	b := make([]byte, 2)
	_, _ = rand.Read(b)
	third, fourth := 128+int(b[0]&127), int(b[1]&0xfc)
	return fmt.Sprintf("198.18.%d.%d", third, fourth+1), fmt.Sprintf("198.18.%d.%d", third, fourth+2)
}

// apiLine and apiIncident are the parts of the API's answers the tests read.
type apiLine struct {
	ID              string  `json:"id"`
	Customer        string  `json:"customer"`
	State           string  `json:"state"`
	Flaps24h        int     `json:"flaps_24h"`
	Outages24h      int     `json:"outages_24h"`
	Availability24h float64 `json:"availability_24h"`
}

type apiIncident struct {
	ID        int64  `json:"id"`
	Kind      string `json:"kind"`
	State     string `json:"state"`
	Root      string `json:"root"`
	Lines     int    `json:"lines"`
	Customers []struct {
		ID   string `json:"id"`
		Tier string `json:"tier"`
	} `json:"customers"`
}

// createToken issues an API token through the CLI's code path and returns it
// (the last line `token create` prints).
func createToken(t *testing.T, dbPath string, args ...string) string {
	t.Helper()
	var out strings.Builder
	if err := apiauth.Command(context.Background(), dbPath, append([]string{"create"}, args...), &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
