package config

import (
	"strings"
	"testing"
	"time"
)

func TestReportValidation(t *testing.T) {
	base := "influx: {url: http://127.0.0.1:8086, bucket: vantage}\n"
	for _, tc := range []struct{ text, want string }{
		{"report: {time_zone: Mars/Base}\n", `controller.yaml:2: report.time_zone: "Mars/Base" is not an IANA time zone`},
		{"report: {sla_targets: {platinum: 99}}\n", `report.sla_targets: "platinum" is not a tier`},
		{"report: {sla_targets: {gold: 100.5}}\n", "report.sla_targets: gold: 100.5 is outside (0, 100]"},
		{"report: {languages: {am1: fr}}\n", `report.languages: am1: "fr" is not zh-CN or en`},
		{"report: {delivery: {formats: [pdf, docx]}}\n", `report.delivery.formats[1]: "docx" is not one of html, pdf, csv, json`},
		{"report: {delivery: {weekly: true}}\n", "report.delivery: needs notify.email"},
	} {
		_, err := Parse("controller.yaml", []byte(base+tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.text, err, tc.want)
		}
	}
	c, err := Parse("controller.yaml", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	r := c.Report
	if r.Location().String() != "Asia/Shanghai" || len(r.Delivery.Formats) != 1 || r.Delivery.Formats[0] != "pdf" ||
		r.Delivery.Interval != 5*time.Minute || r.Delivery.Weekly || r.Delivery.Monthly {
		t.Errorf("defaults: %+v", r)
	}
}
