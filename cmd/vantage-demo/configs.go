package main

import (
	"fmt"
	"slices"
	"strings"
)

type demoTargets struct{ http, tcp string }

func controllerYAML(httpAddr string, natsPort int, dir string, in influxInfo) string {
	return fmt.Sprintf(`# written by vantage-demo
http_listen: %s
data_dir: %s/controller
nats:
  listen: 127.0.0.1:%d
influx:
  url: %s
  bucket: %s
  token: %q
# The detector runs with the production defaults (15-min horizon): flaps
# and outages count at once as live events, final a horizon later.
`, httpAddr, dir, natsPort, in.url, in.bucket, in.token)
}

// demoLines are the demo inventory's lines (inventory.yaml) and their
// customers; the demo-lines agent watches each through the trouble server.
// The inventory names it at pop-east, above every line: only an agent
// assigned to a line gives evidence about it (controller/evidence).
var demoLines = map[string]string{
	"DL-0101": "C100", "DL-0102": "C100", "DL-0103": "C200", "DL-0104": "C300",
	"DL-0201": "C300", "DL-0202": "C400", "DL-0301": "C500",
}

// linesAgent probes every demo line once a second: an HTTP round per line
// on the demo's target server, which hangs the lines the trouble schedule
// has down (trouble.go).
func linesAgent(natsURL, httpTarget string) demoAgent {
	ids := make([]string, 0, len(demoLines))
	for id := range demoLines {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var probes []string
	for _, id := range ids {
		probes = append(probes, fmt.Sprintf(`  - name: line-%s
    type: http
    interval: 1s
    timeout: 800ms
    labels: {line: %s, customer: %s}
    targets: [%s/line/%s]
`, id, id, demoLines[id], httpTarget, id))
	}
	return demoAgent{id: "demo-lines", site: "S-POP-EAST", natsURL: natsURL, probes: probes}
}

type demoAgent struct {
	id, site string
	probes   []string
	natsURL  string
	// extra is more top-level keys (remote_config, traps).
	extra string
}

// yaml is the rest of the agent's config: `vantage-controller agent add`
// writes agent_id and nats (with the agent's password) and the demo
// appends these keys, as an operator adds a site and probes.
func (a demoAgent) yaml(httpListen string) string {
	probes := "probes:\n" + strings.Join(a.probes, "")
	if len(a.probes) == 0 {
		probes = "probes: []\n"
	}
	return fmt.Sprintf(`# appended by vantage-demo
site: {id: %s}
http_listen: %s
heartbeat_interval: 5s
%s%s`, a.site, httpListen, a.extra, probes)
}

// demoAgents are two CPE agents probing customers' services, one hotspot
// agent, and one watching the demo inventory's lines (linesAgent), all
// probing loopback targets the demo serves. The CPE agents' customers are
// not in the demo inventory, so their results carry no line tag: line
// health would refuse them as evidence for an unknown line.
func demoAgents(natsURL string, t demoTargets, icmp bool) []demoAgent {
	ping := func(customer string) string {
		if !icmp {
			return ""
		}
		return fmt.Sprintf(`  - name: pop-ping
    type: ping
    interval: 1s
    timeout: 800ms
    labels: {customer: %s}
    targets: [127.0.0.1]
    options: {count: 3}
`, customer)
	}
	return []demoAgent{
		{id: "demo-cpe-1", site: "S-CPE-1", natsURL: natsURL, probes: []string{ping("C-ACME"), fmt.Sprintf(`  - name: portal
    type: http
    interval: 5s
    timeout: 3s
    labels: {customer: C-ACME}
    targets: [%s/]
`, t.http)}},
		{id: "demo-cpe-2", site: "S-CPE-2", natsURL: natsURL, probes: []string{ping("C-GLOBEX"), fmt.Sprintf(`  - name: erp-port
    type: dial
    interval: 2s
    timeout: 1s
    labels: {customer: C-GLOBEX}
    targets: [%s]
    options: {kind: tcp}
`, t.tcp)}},
		{id: "demo-hotspot-1", site: "S-HOT-1", natsURL: natsURL, probes: []string{fmt.Sprintf(`  - name: download
    type: http
    interval: 10s
    timeout: 5s
    labels: {site: S-HOT-1}
    targets: [%s/download]
`, t.http), fmt.Sprintf(`  - name: gateway-port
    type: dial
    interval: 5s
    timeout: 2s
    targets: [%s]
    options: {kind: tcp}
`, t.tcp)}},
		linesAgent(natsURL, t.http),
	}
}
