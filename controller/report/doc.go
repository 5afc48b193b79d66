// Package report builds customer-impact reports for account managers: per
// customer and period, each line's availability against its SLA target,
// outages, flaps, flapping periods, degradations, MTTR, incidents with
// their cause and a short timeline, complaints with their verdicts,
// notifications and the proactive ratio, and the KEI → KQI → KPI → PI
// tree, each figure with its definition; and a portfolio per account
// manager ranking customers by impact.
//
// Figures are computed from the controller's own SQLite event store
// (line_events, incidents, complaints, notify_outbox), never InfluxDB, so
// a report works with any InfluxDB version and needs no time-series query.
// compute.go builds the model (model.go); json.go, csv.go, html.go and
// pdf.go render it; http.go serves it; schedule.go mails it.
package report
