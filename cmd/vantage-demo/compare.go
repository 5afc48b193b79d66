package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"time"
)

// The demo compares two "networks" at the station hotspot (H-STATION): the
// demo-station agent fetches the same page over each, bound to a loopback
// source address per network (ours 127.0.0.2, rival 127.0.0.3), and the
// demo's server answers ours 120 ms later, so /api/v1/compare says ours is
// behind on first byte, by about that much, with its interval.
const (
	oursSource  = "127.0.0.2"
	rivalSource = "127.0.0.3"
	oursDelay   = 120 * time.Millisecond
	// stationCell is H-STATION's grid cell (geohash 7 of 31.2495, 121.4555).
	stationCell = "wtw3gbc"
)

// serveCompare answers /compare: 64 KiB, later for our network's source.
func serveCompare(w http.ResponseWriter, r *http.Request) {
	if host, _, _ := net.SplitHostPort(r.RemoteAddr); host == oursSource {
		time.Sleep(oursDelay)
	}
	_, _ = w.Write(bytes.Repeat([]byte("v"), 64<<10))
}

// stationAgent runs the comparison probe over both networks.
func stationAgent(natsURL, httpTarget string) demoAgent {
	return demoAgent{id: "demo-station", site: "H-STATION", natsURL: natsURL,
		extra: fmt.Sprintf("networks:\n  - {name: ours, source_address: %s}\n  - {name: rival, source_address: %s}\n", oursSource, rivalSource),
		probes: []string{fmt.Sprintf(`  - name: compare-web
    type: http
    interval: 1s
    timeout: 800ms
    networks: [ours, rival]
    options: {download: true}
    targets: [%s/compare]
`, httpTarget)}}
}

// compareYAML is the controller's compare section for the demo.
const compareYAML = `# the station agent's networks: ours against a competitor's
compare:
  ours: ours
`
