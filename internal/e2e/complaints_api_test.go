package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vantage-net/vantage/internal/testinflux"
)

// TestComplaintsAPIE2E posts complaints through the real controller with
// real tokens: ops may post, an account manager may not; the manager
// lists only their customer's complaints, and another customer's answers
// 404 like an unknown id; a bad body is a 400 naming the field.
func TestComplaintsAPIE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("e2e")
	}
	t.Parallel()
	influx := testinflux.Start(t)
	dataDir := t.TempDir()
	importInventory(t, dataDir, `customers:
  - {id: C1, name: One, tier: gold, account_manager: am-1}
  - {id: C2, name: Two, tier: gold, account_manager: am-2}
lines:
  - {circuit_id: L1, customer: C1}
  - {circuit_id: L2, customer: C2}
`)
	c := startControllerWith(t, influx, dataDir, "")
	db := filepath.Join(dataDir, "vantage.db")
	ops := createToken(t, db, "--name", "e2e-ops", "--role", "ops")
	am := createToken(t, db, "--name", "e2e-am1", "--role", "account_manager", "--manager", "am-1")
	do := func(token, method, path, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, "http://"+c.HTTPAddr()+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
		}
		return resp.StatusCode, m
	}
	batch := `[{"id":"K1","received_at":"2026-11-20T08:00:00+08:00","circuit_id":"L1","category":"line_interruption"},
		{"id":"K2","received_at":"2026-11-20T09:00:00+08:00","customer_id":"C2","category":"slow"}]`
	if code, m := do(am, "POST", "/api/v1/complaints", batch); code != http.StatusForbidden {
		t.Errorf("account manager posts: %d %v", code, m)
	}
	if code, m := do(ops, "POST", "/api/v1/complaints", batch); code != 200 || m["created"].(float64) != 2 {
		t.Fatalf("ops posts: %d %v", code, m)
	}
	code, m := do(ops, "POST", "/api/v1/complaints", `{"id":"K3","received_at":"2026-11-20","customer_id":"C1","category":"slow"}`)
	if code != 400 || m["field"] != "received_at" {
		t.Errorf("bad time: %d %v", code, m)
	}
	_, m = do(am, "GET", "/api/v1/complaints", "")
	var ids []string
	for _, x := range m["complaints"].([]any) {
		ids = append(ids, x.(map[string]any)["id"].(string))
	}
	if !slices.Equal(ids, []string{"K1"}) {
		t.Errorf("am-1 lists %v, want K1 only", ids)
	}
	code, k1 := do(am, "GET", "/api/v1/complaints/K1", "")
	if code != 200 || k1["linked_customer"] != "C1" || k1["linked_by"] != "circuit_id" || k1["verdict"] != "not_monitored" {
		t.Errorf("K1: %d %v", code, k1)
	}
	c2, other := do(am, "GET", "/api/v1/complaints/K2", "")
	c3, unknown := do(am, "GET", "/api/v1/complaints/K9", "")
	if c2 != 404 || c3 != 404 || other["error"] != unknown["error"] {
		t.Errorf("another customer's complaint %d %v; unknown %d %v", c2, other, c3, unknown)
	}
}
