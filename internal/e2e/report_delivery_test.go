package e2e

import (
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/report/reporttest"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/smtpsink"
	"github.com/vantage-net/vantage/internal/testinflux"
)

// TestReportDeliveryE2E: the controller with report.delivery on mails
// each account manager, once per period, the last week's and month's
// reports through its notify outbox to the real SMTP test server, each
// customer's PDF attached, in the manager's language.
func TestReportDeliveryE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("e2e")
	}
	t.Parallel()
	influx := testinflux.Start(t)
	sink, err := smtpsink.Start("127.0.0.1:0", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sink.Close() })
	dataDir := t.TempDir()
	seedReportDB(t, filepath.Join(dataDir, "vantage.db"))
	c := startControllerWith(t, influx, dataDir, fmt.Sprintf(`notify:
  email: {host: 127.0.0.1, port: %d, tls: none, from: "Vantage NOC <noc@test.vantage>"}
  sender: {poll: 100ms}
report:
  languages: {%s: en}
  delivery: {weekly: true, monthly: true, formats: [pdf], interval: 1s}
`, sink.Port(), reporttest.OtherManager))
	ctx := lab.Deadline(t, 90*time.Second)
	lab.WaitFor(t, ctx, 200*time.Millisecond, func() error {
		if n := len(sink.Messages()); n < 4 {
			return fmt.Errorf("%d report mails so far, want 4", n)
		}
		return nil
	})
	// Two more looks of the scheduler add nothing.
	looks := func() float64 {
		resp, err := http.Get("http://" + c.HTTPAddr() + "/metrics")
		if err != nil {
			return 0
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		m := regexp.MustCompile(`(?m)^vantage_report_schedule_looks_total (\S+)$`).FindSubmatch(b)
		if m == nil {
			return 0
		}
		v, _ := strconv.ParseFloat(string(m[1]), 64)
		return v
	}
	first := looks()
	lab.WaitFor(t, ctx, 200*time.Millisecond, func() error {
		if n := looks(); n < first+2 {
			return fmt.Errorf("scheduler looked %v times since, want 2", n-first)
		}
		return nil
	})
	msgs := sink.Messages()
	var got []string
	for _, m := range msgs {
		kind := "other"
		switch {
		case strings.Contains(m.Subject, "周报"), strings.HasPrefix(m.Subject, "Weekly"):
			kind = "week"
		case strings.Contains(m.Subject, "月报"), strings.HasPrefix(m.Subject, "Monthly"):
			kind = "month"
		}
		got = append(got, m.To[0]+" "+kind)
		if m.To[0] == reporttest.Manager && kind == "week" {
			if files := strings.Count(string(m.Raw), `filename="report-C-SH-00`); files < 3 {
				t.Errorf("weekly mail with %d attachments, want the 3 customers' PDFs", files)
			}
		}
		if m.To[0] == reporttest.OtherManager && !strings.Contains(m.Subject, "customer impact reports") {
			t.Errorf("English manager's subject %q", m.Subject)
		}
	}
	slices.Sort(got)
	want := []string{reporttest.Manager + " month", reporttest.Manager + " week", reporttest.OtherManager + " month", reporttest.OtherManager + " week"}
	if !slices.Equal(got, want) {
		t.Errorf("mails %v, want one per manager and period %v", got, want)
	}
}
