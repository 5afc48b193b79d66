package config

import (
	"os"
	"strings"
	"testing"
	"time"
)

// Bad coverage and compare settings are refused with file:line, the field
// path and why, all at once.
func TestCoverageCompareInvalid(t *testing.T) {
	text := `influx: {url: http://127.0.0.1:8086, bucket: vantage}
coverage:
  window: 30s
  weak_score: 150
  radio_metrics:
    rsrp: rsrp_dbm
    snr: snr_db
  thresholds:
    rsrp_dbm: {weak: -90, good: -110}
    rsrq_db: {weak: -20, good: -10}
compare:
  ours: "our net"
  confidence: 1.5
  margins: {ping_rtt_ms: -1, jitter: 2}
`
	_, err := Parse("controller.yaml", []byte(text))
	if err == nil {
		t.Fatal("accepted")
	}
	for _, w := range []string{
		`controller.yaml:3: coverage.window: 30s is outside 1m..168h`,
		`controller.yaml:4: coverage.weak_score: 150 is outside 0..100`,
		`controller.yaml:7: coverage.radio_metrics.snr: "snr_db" is not a radio quantity (want one of rsrp_dbm, sinr_db, rssi_dbm)`,
		`controller.yaml:9: coverage.thresholds.rsrp_dbm.good: -110 is not above weak -90: a better signal must score higher`,
		`controller.yaml:10: coverage.thresholds.rsrq_db: unknown quantity (want one of rsrp_dbm, rssi_dbm, sinr_db, throughput_kbps)`,
		`controller.yaml:12: compare.ours: "our net" must be letters, digits, '-' or '_'`,
		`controller.yaml:13: compare.confidence: 1.5 is outside 0.5..1`,
		`controller.yaml:14: compare.margins.jitter: unknown test (want one of dns_ms, dns_ok,`,
		`controller.yaml:14: compare.margins.ping_rtt_ms: -1 must be a number ≥ 0`,
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in:\n%v", w, err)
		}
	}
}

// Defaults apply where nothing is set, and a tier of a band keeps the
// other end's default.
func TestCoverageDefaults(t *testing.T) {
	c, err := Parse("controller.yaml", []byte("influx: {url: http://127.0.0.1:8086, bucket: vantage}\ncoverage: {thresholds: {rsrp_dbm: {weak: -115}}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if w, g := c.Coverage.Band("rsrp_dbm"); w != -115 || g != -90 {
		t.Fatalf("rsrp band %g..%g", w, g)
	}
	if c.Coverage.WeakScore != 50 || c.Compare.MinSamples != 20 || c.Coverage.RadioMetrics["sinr"] != "sinr_db" {
		t.Fatalf("defaults: %+v %+v", c.Coverage, c.Compare)
	}
}

// readmeCoverageYAML is the README's coverage and compare block, as printed.
func readmeCoverageYAML(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range strings.Split(string(data), "```yaml\n")[1:] {
		block, _, _ := strings.Cut(b, "```")
		if strings.Contains(block, "radio_metrics:") {
			return block
		}
	}
	t.Fatal("README has no yaml block with radio_metrics")
	return ""
}

// The README's coverage and compare settings load as printed and mean
// what the README says.
func TestReadmeCoverageConfig(t *testing.T) {
	c, err := Parse("README.md", []byte("influx: {url: http://127.0.0.1:8086, bucket: vantage}\n"+readmeCoverageYAML(t)))
	if err != nil {
		t.Fatal(err)
	}
	if w, g := c.Coverage.Band("sinr_db"); w != 0 || g != 15 || c.Coverage.WeakAfter != 10*time.Minute || c.Compare.Ours != "ours" ||
		c.Coverage.RadioMetrics["rssi"] != "rssi_dbm" {
		t.Fatalf("%+v %+v", c.Coverage, c.Compare)
	}
}
