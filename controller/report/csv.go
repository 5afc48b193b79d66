package report

import (
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/vantage-net/vantage/internal/csvsafe"
)

// CSV writes one row per line with its figures, then the customer's
// indicators (section column tells them apart), in the report's language
// for headers and its zone for times. Seconds stay seconds, unrounded.
func CSV(w io.Writer, r *Report, loc *time.Location) error {
	cw := csvsafe.NewWriter(w) // names and ids are the operator's: never a formula
	rows := [][]string{{"section", "customer", "from", "to", "line", "sla_target_pct", "availability_pct", "sla_met",
		"shortfall_pct", "down_seconds", "outages", "outage_seconds", "longest_outage_seconds", "flaps", "flap_seconds",
		"flapping_periods", "degradations", "degraded_seconds", "mttr_seconds", "provisional_events"}}
	from, to := clock(r.From, loc), clock(r.To, loc)
	for _, l := range r.Lines {
		rows = append(rows, []string{"line", r.Customer.ID, from, to, l.ID, num(l.TargetPct), num(l.AvailabilityPct),
			strconv.FormatBool(l.Met), num(l.ShortfallPct), num(l.DownSeconds), strconv.Itoa(l.Outages),
			num(l.OutageSeconds), num(l.LongestSeconds), strconv.Itoa(l.Flaps), num(l.FlapSeconds),
			strconv.Itoa(l.FlappingPeriods), strconv.Itoa(l.Degradations), num(l.DegradedSeconds),
			num(l.MTTRSeconds), strconv.Itoa(l.Provisional)})
	}
	rows = append(rows, nil, []string{"section", "customer", "from", "to", "indicator", "layer", "value", "unit", "name", "definition", "from_indicators"})
	for _, in := range r.Tree {
		rows = append(rows, []string{"indicator", r.Customer.ID, from, to, in.ID, in.Layer, num(in.Value), in.Unit, in.Name,
			in.Define, strings.Join(in.From, " ")})
	}
	if n := r.Notifications; n != nil {
		rows = append(rows, []string{"notifications", r.Customer.ID, from, to, "sent", "", strconv.Itoa(n.Sent)},
			[]string{"notifications", r.Customer.ID, from, to, "proactive_ratio", "", num(n.ProactiveRatio)})
	}
	// Every row as wide as the widest, so spreadsheet imports and strict
	// CSV readers take the sections alike.
	width := len(rows[0])
	for _, row := range rows {
		for len(row) < width {
			row = append(row, "")
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	return cw.Flush()
}
