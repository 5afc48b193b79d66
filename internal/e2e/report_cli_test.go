package e2e

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vantage-net/vantage/controller/report"
	"github.com/vantage-net/vantage/controller/report/reporttest"
)

// TestReportThroughBinary runs `vantage-controller report` as the README
// shows it, with the README's report block as config, on the report
// scenario: the JSON's figures are the scenario's truth, the PDF holds
// the Chinese text (pdftotext), the portfolio ranks the manager's
// customers, progress goes to stderr, and bad input names the problem.
func TestReportThroughBinary(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t, "vantage-controller")
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "vantage.db")
	seedReportDB(t, dbPath)
	cfg := filepath.Join(dir, "controller.yaml")
	if err := os.WriteFile(cfg, []byte("influx: {url: http://127.0.0.1:8086, bucket: vantage}\ndata_dir: "+dir+
		"\ndatabase: {path: "+dbPath+"}\n"+readmeBlock(t, "report:")), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, string, int) {
		cmd := exec.Command(bin, append([]string{"report", "--config", cfg}, args...)...)
		cmd.Dir = dir
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return string(out), stderr.String(), ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return string(out), stderr.String(), 0
	}
	week := []string{"--customer", reporttest.Customer, "--period", "week", "--from", "2026-11-18"}
	_, progress, code := run(append(week, "--format", "json", "-o", "r.json")...)
	if code != 0 || !strings.Contains(progress, "2 lines, 4 incidents, 2 complaints") || !strings.Contains(progress, "wrote r.json") {
		t.Fatalf("exit %d, progress:\n%s", code, progress)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "r.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r report.Report
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	const period = 7 * 24 * 3600.0
	// No notify block in this config, and the scenario's outbox has
	// messages: the section is there, with notify's default rules.
	if !r.From.Equal(reporttest.From) || r.Lines[0].DownSeconds != 3045 || r.Lines[0].AvailabilityPct != 100*(1-3045/period) ||
		r.Summary.MTTRSeconds != 3315 || r.Summary.Outages != 3 || r.Notifications == nil || r.Notifications.ProactiveRatio != 0.5 {
		t.Errorf("report: from %s, L1 %+v, summary %+v, notifications %+v", r.From, r.Lines[0], r.Summary, r.Notifications)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatalf("pdftotext not installed (Debian poppler-utils; make deps): %v", err)
	}
	if _, progress, code := run(append(week, "--format", "pdf", "-o", "r.pdf")...); code != 0 {
		t.Fatalf("pdf: exit %d\n%s", code, progress)
	}
	text, err := exec.Command("pdftotext", filepath.Join(dir, "r.pdf"), "-").Output()
	if err != nil || !strings.Contains(string(text), reporttest.CustomerName) || !strings.Contains(string(text), "客户影响报告") {
		t.Errorf("pdftotext: %v\n%s", err, text)
	}
	// The README's config makes the other manager's reports English.
	out, _, code := run("--customer", reporttest.Other, "--period", "week", "--from", "2026-11-18", "--format", "html")
	if code != 0 || !strings.Contains(out, "Customer impact report") {
		t.Errorf("English report of %s: exit %d", reporttest.Other, code)
	}
	out, progress, code = run("--manager", reporttest.Manager, "--period", "week", "--from", "2026-11-18", "--format", "csv")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 4 || !strings.HasPrefix(lines[1], "1,"+reporttest.Customer) || !strings.Contains(progress, "[3/3]") {
		t.Errorf("portfolio: exit %d\n%s\n%s", code, out, progress)
	}
	// The README's commands, as printed.
	_, block, _ := strings.Cut(readme(t), "```sh\nvantage-controller report ")
	block, _, _ = strings.Cut("vantage-controller report "+block, "```")
	for _, line := range strings.Split(strings.TrimSpace(block), "\n") {
		args := strings.Fields(line)
		cmd := exec.Command(bin, args[1:]...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "report: ") {
			t.Errorf("README: %s: %v\n%s", line, err, out)
		}
	}
	if st, err := os.Stat(filepath.Join(dir, "C-SH-001.pdf")); err != nil || st.Size() < 10_000 {
		t.Errorf("README's PDF: %v", err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--customer", "nobody", "--period", "week"}, "no such customer"},
		{append(week, "--format", "docx"), `format "docx"`},
		{[]string{"--customer", reporttest.Customer, "--from", "2026-11-18"}, "--from and --to"},
		{[]string{"--customer", reporttest.Customer, "--period", "week", "--from", "18/11/2026"}, "from:"},
	} {
		if _, stderr, code := run(c.args...); code != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, stderr, c.want)
		}
	}
}
