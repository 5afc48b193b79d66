package e2e

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vantage-net/vantage/internal/testinflux"
)

// The coverage, compare and places routes are served by the controller
// behind the API's tokens: places (every customer's complaint counts) for
// admin and ops only, coverage and compare for every role; bad input names
// its field.
func TestCoverRoutesE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("e2e")
	}
	t.Parallel()
	influx := testinflux.Start(t)
	dataDir := t.TempDir()
	importInventory(t, dataDir, "customers:\n  - {id: C01, name: Customer 1, tier: gold, account_manager: am-1}\n")
	c := startControllerWith(t, influx, dataDir, "")
	db := filepath.Join(dataDir, "vantage.db")
	ops := createToken(t, db, "--name", "e2e-ops", "--role", "ops")
	am := createToken(t, db, "--name", "e2e-am", "--role", "account_manager", "--manager", "am-1")
	for _, tc := range []struct {
		token, path string
		code        int
		body        string
	}{
		{ops, "/api/v1/places", http.StatusOK, `{"places":[]}`},
		{am, "/api/v1/places", http.StatusForbidden, ""},
		{am, "/api/v1/coverage/cells", http.StatusOK, `{"cells":[]}`},
		{ops, "/api/v1/coverage/cells?weak=maybe", http.StatusBadRequest, `"field":"weak"`},
		{am, "/api/v1/compare?cell=wx4g0bm&test=ping_rtt_ms", http.StatusOK, `"verdict":"insufficient"`},
		{ops, "/api/v1/compare?cell=wx4g0bm&test=jitter", http.StatusBadRequest, `"field":"test"`},
		{"", "/api/v1/compare?cell=wx4g0bm&test=ping_rtt_ms", http.StatusUnauthorized, ""},
	} {
		code, body := rawGet(t, c, tc.token, tc.path)
		if code != tc.code || !strings.Contains(body, tc.body) {
			t.Errorf("%s (token %t): %d %s, want %d with %s", tc.path, tc.token != "", code, body, tc.code, tc.body)
		}
	}
}
