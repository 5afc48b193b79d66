package config

import (
	"strings"
	"testing"
	"time"
)

// TestClusterValidation: each bad cluster key is reported with its
// file:line, field and why; a valid block takes its defaults.
func TestClusterValidation(t *testing.T) {
	base := "influx: {url: http://127.0.0.1:8086, bucket: vantage}\nnats: {urls: [\"nats://n1:4222\"]}\n"
	for _, tc := range []struct{ text, want string }{
		{"cluster: {id: \"ctl 1\"}\n", `controller.yaml:3: cluster.id: "ctl 1" must be 1-64 letters, digits, '-' or '_'`},
		{"cluster: {id: a, partitions: 2000}\n", "controller.yaml:3: cluster.partitions: 2000 is outside 1..1024"},
		{"cluster: {id: a, lease: 1s}\n", "controller.yaml:3: cluster.lease: 1s is shorter than 2s"},
		{"cluster: {id: a, snapshot_interval: -1s}\n", "controller.yaml:3: cluster.snapshot_interval: -1s must be positive"},
		{"ingest: {consumer: mine}\ncluster: {id: a}\n", "controller.yaml:3: ingest.consumer: does not apply with cluster"},
	} {
		_, err := Parse("controller.yaml", []byte(base+tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.text, err, tc.want)
		}
	}
	_, err := Parse("controller.yaml", []byte("influx: {url: http://127.0.0.1:8086, bucket: vantage}\ncluster: {id: a}\n"))
	if err == nil || !strings.Contains(err.Error(), "controller.yaml:2: cluster: needs nats.urls") {
		t.Errorf("embedded NATS with cluster: %v", err)
	}
	c, err := Parse("controller.yaml", []byte(base+"cluster: {id: ctl-1}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if k := c.Cluster; k.Partitions != 16 || k.Lease != 10*time.Second || k.SnapshotInterval != 5*time.Second {
		t.Errorf("defaults: %+v", k)
	}
}
