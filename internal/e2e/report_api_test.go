package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vantage-net/vantage/controller/report"
	"github.com/vantage-net/vantage/controller/report/reporttest"
	"github.com/vantage-net/vantage/controller/store/sqlite"
	"github.com/vantage-net/vantage/internal/testinflux"
)

// TestReportAPIScopeE2E: GET /api/v1/reports/customers/{id} through the
// real controller and real account-manager tokens: a manager gets their
// customer's report (the scenario's figures, and the PDF), another
// manager's customer answers exactly what an unknown one does.
func TestReportAPIScopeE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("e2e")
	}
	t.Parallel()
	influx := testinflux.Start(t)
	dataDir := t.TempDir()
	dbPath := filepath.Join(dataDir, "vantage.db")
	seedReportDB(t, dbPath)
	c := startControllerWith(t, influx, dataDir, "report: {time_zone: Asia/Shanghai}\n")
	mine := createToken(t, dbPath, "--name", "e2e-li", "--role", "account_manager", "--manager", reporttest.Manager)
	other := createToken(t, dbPath, "--name", "e2e-wang", "--role", "account_manager", "--manager", reporttest.OtherManager)
	path := "/api/v1/reports/customers/" + reporttest.Customer + "?from=2026-11-16&to=2026-11-23"
	code, body := rawGet(t, c, mine, path)
	var r report.Report
	// The scenario's provisional 5-s flap was never in this controller's
	// detector: its start retracts it (linehealth, live events), and a
	// retracted event counts nowhere: 3,045 − 5 s.
	if code != http.StatusOK || json.Unmarshal([]byte(body), &r) != nil || r.Lines[0].DownSeconds != 3040 || r.Lines[0].Provisional != 0 ||
		r.Summary.Incidents != 4 || r.Summary.MTTRSeconds != 3315 {
		t.Fatalf("own customer: %d %+v %+v", code, r.Lines, r.Summary)
	}
	if code, body := rawGet(t, c, mine, path+"&format=pdf"); code != http.StatusOK || !strings.HasPrefix(body, "%PDF-") {
		t.Errorf("pdf: %d %.50q", code, body)
	}
	code1, body1 := rawGet(t, c, other, path)
	code2, body2 := rawGet(t, c, other, "/api/v1/reports/customers/C-NOBODY?from=2026-11-16&to=2026-11-23")
	if code1 != http.StatusNotFound || code1 != code2 || body1 != body2 {
		t.Errorf("another manager's customer: %d %s; unknown: %d %s", code1, body1, code2, body2)
	}
}

// seedReportDB writes the report scenario (reporttest.Seed) into a new
// SQLite database at path.
func seedReportDB(t *testing.T, path string) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := reporttest.Seed(context.Background(), db); err != nil {
		t.Fatal(err)
	}
}
