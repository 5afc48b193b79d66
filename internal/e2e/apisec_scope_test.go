package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vantage-net/vantage/controller"
	"github.com/vantage-net/vantage/internal/testinflux"
)

// TestAccountManagerScopeE2E (issue 10, item 8) through the real
// controller, its HTTP port and real tokens from `token create`: three
// account managers with 250 lines each, ids interleaved, page
// /api/v1/lines and /api/v1/customers with limit=7 and next, and each sees
// exactly their own; another manager's line answers the bytes an unknown
// line does.
func TestAccountManagerScopeE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("e2e")
	}
	t.Parallel()
	influx := testinflux.Start(t)
	dataDir := t.TempDir()
	var y strings.Builder
	want := map[string][]string{}
	wantCustomers := map[string][]string{}
	y.WriteString("customers:\n")
	for i := range 30 {
		m := fmt.Sprintf("am-%d", i%3+1)
		fmt.Fprintf(&y, "  - {id: C%02d, name: Customer %d, tier: gold, account_manager: %s}\n", i, i, m)
		wantCustomers[m] = append(wantCustomers[m], fmt.Sprintf("C%02d", i))
	}
	y.WriteString("lines:\n")
	for i := range 750 {
		fmt.Fprintf(&y, "  - {circuit_id: L%04d, customer: C%02d}\n", i, i%30)
		m := fmt.Sprintf("am-%d", i%3+1)
		want[m] = append(want[m], fmt.Sprintf("L%04d", i))
	}
	importInventory(t, dataDir, y.String())
	c := startControllerWith(t, influx, dataDir, "")
	db := filepath.Join(dataDir, "vantage.db")
	tokens := map[string]string{}
	for m := range want {
		tokens[m] = createToken(t, db, "--name", "e2e-"+m, "--role", "account_manager", "--manager", m)
	}
	for m, tok := range tokens {
		if got := pageIDs(t, c, tok, "lines"); !slices.Equal(got, want[m]) {
			t.Errorf("%s: %d lines listed (first %v), want their 250", m, len(got), got[:min(len(got), 5)])
		}
		if got := pageIDs(t, c, tok, "customers"); !slices.Equal(got, wantCustomers[m]) {
			t.Errorf("%s: customers %v, want %v", m, got, wantCustomers[m])
		}
	}
	code1, body1 := rawGet(t, c, tokens["am-1"], "/api/v1/lines/L0001") // am-2's
	code2, body2 := rawGet(t, c, tokens["am-1"], "/api/v1/lines/L9999") // nobody's
	if code1 != http.StatusNotFound || code1 != code2 || body1 != body2 {
		t.Errorf("another manager's line: %d %s; unknown line: %d %s", code1, body1, code2, body2)
	}
}

func rawGet(t *testing.T, c *controller.Controller, token, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "http://"+c.HTTPAddr()+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// pageIDs lists every id of /api/v1/<list> with limit=7, following next.
func pageIDs(t *testing.T, c *controller.Controller, token, list string) []string {
	t.Helper()
	var ids []string
	next := ""
	for range 200 {
		q := url.Values{"limit": {"7"}}
		if next != "" {
			q.Set("after", next)
		}
		code, body := rawGet(t, c, token, "/api/v1/"+list+"?"+q.Encode())
		if code != http.StatusOK {
			t.Fatalf("%s: %d %s", list, code, body)
		}
		var page struct {
			Lines     []struct{ ID string } `json:"lines"`
			Customers []struct{ ID string } `json:"customers"`
			Next      string                `json:"next"`
		}
		if err := json.Unmarshal([]byte(body), &page); err != nil {
			t.Fatal(err)
		}
		for _, r := range append(page.Lines, page.Customers...) {
			ids = append(ids, r.ID)
		}
		if page.Next == "" {
			return ids
		}
		next = page.Next
	}
	t.Fatalf("%s: paging does not end", list)
	return nil
}
