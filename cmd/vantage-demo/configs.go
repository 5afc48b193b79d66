package main

import (
	"fmt"
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
`, httpAddr, dir, natsPort, in.url, in.bucket, in.token)
}

type demoAgent struct {
	id, site string
	probes   []string
	natsURL  string
}

func (a demoAgent) yaml(httpListen string) string {
	return fmt.Sprintf(`# written by vantage-demo
agent_id: %s
site: {id: %s}
http_listen: %s
heartbeat_interval: 5s
nats:
  urls: [%s]
probes:
%s`, a.id, a.site, httpListen, a.natsURL, strings.Join(a.probes, ""))
}

// demoAgents are two CPE agents watching customers' lines and one hotspot
// agent, all probing loopback targets the demo serves.
func demoAgents(natsURL string, t demoTargets, icmp bool) []demoAgent {
	ping := func(line, customer string) string {
		if !icmp {
			return ""
		}
		return fmt.Sprintf(`  - name: pop-ping
    type: ping
    interval: 1s
    timeout: 800ms
    labels: {line: %s, customer: %s}
    targets: [127.0.0.1]
    options: {count: 3}
`, line, customer)
	}
	return []demoAgent{
		{id: "demo-cpe-1", site: "S-CPE-1", natsURL: natsURL, probes: []string{ping("L-1001", "C-ACME"), fmt.Sprintf(`  - name: portal
    type: http
    interval: 5s
    timeout: 3s
    labels: {line: L-1001, customer: C-ACME}
    targets: [%s/]
`, t.http)}},
		{id: "demo-cpe-2", site: "S-CPE-2", natsURL: natsURL, probes: []string{ping("L-2001", "C-GLOBEX"), fmt.Sprintf(`  - name: erp-port
    type: dial
    interval: 2s
    timeout: 1s
    labels: {line: L-2001, customer: C-GLOBEX}
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
	}
}
