// Package dashboards holds the Grafana dashboards shipped with Vantage
// (vantage-*.json) and the provisioning files that load them
// (provisioning/): an InfluxDB data source with uid "vantage-influxdb" in
// InfluxQL mode, and a file provider for the dashboards.
//
// InfluxQL, not Flux, because it runs unchanged on InfluxDB 1.8 and, through
// the 1.x compatibility API and a DBRP mapping, on 2.x; the project's tests
// run InfluxDB 1.8.10, so every query is tested as shipped.
//
// The package has no code, only tests: every panel and template-variable
// query is interpolated as Grafana would and run against a real InfluxDB
// seeded through the controller's own encoder, so a renamed measurement,
// field or tag fails the test instead of a dashboard in production.
package dashboards
