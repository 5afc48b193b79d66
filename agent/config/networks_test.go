package config

import (
	"strings"
	"testing"

	"github.com/vantage-net/vantage/probes"
)

// A probe with networks becomes one job per target and network, each
// carrying its network; a probe without stays one job per target.
func TestJobsPerNetwork(t *testing.T) {
	text := `agent_id: hotspot-1
nats: {urls: [nats://127.0.0.1:4222]}
networks:
  - {name: ours, source_interface: lo}
  - {name: rival, source_address: 198.18.2.2}
probes:
  - {name: web, type: http, interval: 5s, networks: [ours, rival], targets: [http://198.18.10.1/, http://198.18.10.2/]}
  - {name: pop, type: ping, interval: 1s, targets: [198.18.0.1]}
`
	c, err := Parse("agent.yaml", []byte(text), fakeTypes{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, j := range c.Jobs() {
		got = append(got, j.Probe.Name+" "+j.Target+" "+j.Network)
	}
	want := "web http://198.18.10.1/ ours|web http://198.18.10.1/ rival|web http://198.18.10.2/ ours|web http://198.18.10.2/ rival|pop 198.18.0.1 "
	if strings.Join(got, "|") != want {
		t.Fatalf("jobs:\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
	if n, ok := c.Network("rival"); !ok || n.Address().String() != "198.18.2.2" {
		t.Fatalf("rival: %+v %v", n, ok)
	}
}

// Only probe types whose sockets can be bound take networks.
func TestNetworksRefusedOnSNMP(t *testing.T) {
	text := `agent_id: hotspot-1
nats: {urls: [nats://127.0.0.1:4222]}
networks: [{name: ours, source_interface: lo}]
probes:
  - {name: radio, type: snmp, interval: 30s, networks: [ours], targets: [198.18.0.1]}
`
	_, err := Parse("agent.yaml", []byte(text), fakeTypes{})
	want := "agent.yaml:5: probes[0].networks: a snmp probe cannot be bound to an uplink (ping, dial and http can)"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v\nwant %s", err, want)
	}
}

// The README's comparison block loads with the real registry; on a host
// without its uplinks (wwan0, wwan1) the only complaints are about them,
// each with its line (the lab test runs it where they exist).
func TestREADMENetworksBlock(t *testing.T) {
	blocks := readmeYAML(t, "networks:", "source_interface: wwan1")
	if len(blocks) != 1 {
		t.Fatalf("README has %d comparison blocks, want 1", len(blocks))
	}
	_, err := Parse("README.yaml", []byte("agent_id: hs-1\nnats: {urls: [nats://127.0.0.1:4222]}\n"+blocks[0]), probes.TypeInfo{})
	if err == nil {
		return // a host with wwan0 and wwan1
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		if !strings.Contains(line, ".source_interface: \"wwan") || !strings.Contains(line, "is not an interface on this host") {
			t.Errorf("unexpected: %s", line)
		}
	}
}
