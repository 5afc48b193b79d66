// Package dashboards holds the Grafana dashboards shipped with Vantage, as
// JSON files to import (Grafana → Dashboards → Import) against an InfluxDB
// data source in Flux mode. The test in this package keeps every query tied
// to the measurements and fields of probes/result, so a renamed field breaks
// the build instead of a dashboard in production.
package dashboards
