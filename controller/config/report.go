package config

import (
	"fmt"
	"maps"
	"slices"
	"time"
)

// Report configures customer-impact reports (controller/report).
//
//	report:
//	  time_zone: Asia/Shanghai
//	  font: /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
//	  sla_targets: {gold: 99.9}
//	  languages: {am-wang@example.com: en}
//	  delivery: {weekly: true, monthly: true, formats: [pdf]}
type Report struct {
	// TimeZone is where report times are shown and weeks (Monday) and
	// months begin (default Asia/Shanghai).
	TimeZone string `yaml:"time_zone"`
	// Font is the TrueType font with CJK glyphs PDFs embed (default
	// Debian fonts-wqy-microhei; .ttf or .ttc, its first font).
	Font string `yaml:"font"`
	// SLATargets are the availability targets (percent) by customer tier
	// for lines without their own sla_availability_pct; tiers not named
	// keep the defaults (ab_group 99.99, diamond 99.95, gold 99.9,
	// silver 99.5, standard 99.0).
	SLATargets map[string]float64 `yaml:"sla_targets"`
	// Languages are account managers' report languages by manager (the
	// inventory's account_manager): zh-CN (default) or en.
	Languages map[string]string `yaml:"languages"`
	// Delivery mails each account manager their customers' reports after
	// each week and month, through the notify outbox (needs notify.email).
	Delivery ReportDelivery `yaml:"delivery"`
}

// ReportDelivery is the scheduled delivery of reports.
type ReportDelivery struct {
	// Weekly and Monthly turn the deliveries on (both off by default).
	Weekly  bool `yaml:"weekly"`
	Monthly bool `yaml:"monthly"`
	// Formats attached, one file per customer and format (default [pdf]).
	Formats []string `yaml:"formats"`
	// Interval is how often due deliveries are looked for (default 5m).
	Interval time.Duration `yaml:"interval"`
}

// Location is TimeZone loaded (validated by Parse).
func (r Report) Location() *time.Location {
	loc, err := time.LoadLocation(r.TimeZone)
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}

func (c *Config) setReportDefaults() {
	r := &c.Report
	if r.TimeZone == "" {
		r.TimeZone = "Asia/Shanghai"
	}
	if len(r.Delivery.Formats) == 0 {
		r.Delivery.Formats = []string{"pdf"}
	}
	if r.Delivery.Interval == 0 {
		r.Delivery.Interval = 5 * time.Minute
	}
}

var reportTiers = []string{"ab_group", "diamond", "gold", "silver", "standard"}

func (c *Config) validateReport(bad func(field, format string, args ...any)) {
	r := c.Report
	if _, err := time.LoadLocation(r.TimeZone); err != nil {
		bad("report.time_zone", "%q is not an IANA time zone (e.g. Asia/Shanghai)", r.TimeZone)
	}
	for _, tier := range slices.Sorted(maps.Keys(r.SLATargets)) {
		if !slices.Contains(reportTiers, tier) {
			bad("report.sla_targets", "%q is not a tier (ab_group, diamond, gold, silver, standard)", tier)
		} else if v := r.SLATargets[tier]; v <= 0 || v > 100 {
			bad("report.sla_targets", "%s: %g is outside (0, 100]", tier, v)
		}
	}
	for _, m := range slices.Sorted(maps.Keys(r.Languages)) {
		if l := r.Languages[m]; l != "zh-CN" && l != "en" {
			bad("report.languages", "%s: %q is not zh-CN or en", m, l)
		}
	}
	for i, f := range r.Delivery.Formats {
		if !slices.Contains([]string{"html", "pdf", "csv", "json"}, f) {
			bad(fmt.Sprintf("report.delivery.formats[%d]", i), "%q is not one of html, pdf, csv, json", f)
		}
	}
	if (r.Delivery.Weekly || r.Delivery.Monthly) && (c.Notify == nil || c.Notify.Email == nil) {
		bad("report.delivery", "needs notify.email: reports are mailed through the notify outbox")
	}
	if r.Delivery.Interval < time.Second {
		bad("report.delivery.interval", "%s is shorter than 1s", r.Delivery.Interval)
	}
}
