package config

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestDefaults(t *testing.T) {
	c, err := Parse("c.yaml", []byte("influx: {url: http://127.0.0.1:8086, bucket: vantage/autogen}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.NATS.Embedded() || c.NATS.StoreDir != "vantage-data/jetstream" || c.HTTPListen != "127.0.0.1:9100" {
		t.Fatalf("%+v", c)
	}
	if !*c.NATS.AgentAuth {
		t.Error("agent_auth is off by default on the embedded server")
	}
	ext, err := Parse("c.yaml", []byte("nats: {urls: [nats://n1:4222]}\ninflux: {url: http://127.0.0.1:8086, bucket: b}\n"))
	if err != nil || *ext.NATS.AgentAuth {
		t.Errorf("external cluster: agent_auth %v (err %v), want false: the cluster enforces its own users", *ext.NATS.AgentAuth, err)
	}
}

func TestInvalid(t *testing.T) {
	data, _ := os.ReadFile("testdata/invalid.yaml")
	_, err := Parse("invalid.yaml", data)
	if err == nil {
		t.Fatal("accepted")
	}
	for _, w := range []string{
		"invalid.yaml:4: influx.batchsize: unknown key",
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in\n%v", w, err)
		}
	}
	// Unknown keys stop before validation; fix them and see the rest at once.
	_, err = Parse("invalid.yaml", []byte("http_listen: 9100\ninflux: {url: 'influx:8086'}\ningest: {ack_wait: 1s}\n"+
		"remote_config: {refresh: 100ms, ping: {interval: 50ms, count: 500}}\n"))
	_, cerr := Parse("confirm.yaml", []byte("influx: {url: 'http://i:8086', bucket: b}\n"+
		"remote_config:\n  ping:\n    interval: 1s\n    confirm: {interval: 2s, watch: 2h}\n"))
	for _, w := range []string{
		`invalid.yaml:1: http_listen: "9100" is not host:port`,
		`invalid.yaml:2: influx.url: "influx:8086" is not an http(s) URL`,
		`invalid.yaml:2: influx.bucket: is required`,
		`invalid.yaml:3: ingest.ack_wait: 1s is shorter than 5s`,
		`invalid.yaml:4: remote_config.refresh: 100ms is shorter than 1s`,
		`invalid.yaml:4: remote_config.ping.interval: 50ms is shorter than 100ms`,
		`invalid.yaml:4: remote_config.ping.count: 500 is outside 1..100`,
	} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in\n%v", w, err)
		}
	}
	// Issue 11: a confirmation interval longer than the probe interval is
	// refused at start with file, line and field.
	for _, w := range []string{
		`confirm.yaml:5: remote_config.ping.confirm.interval: 2s is longer than remote_config.ping.interval 1s`,
		`confirm.yaml:5: remote_config.ping.confirm.watch: 2h0m0s is outside 0..1h`,
	} {
		if cerr == nil || !strings.Contains(cerr.Error(), w) {
			t.Errorf("missing %q in\n%v", w, cerr)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("influx: {url: http://127.0.0.1:8086, bucket: vantage/autogen}\n"))
	f.Add([]byte("nats: {urls: [nats://a:1]}\ningest: {fetch_batch: -1}"))
	f.Fuzz(func(t *testing.T, data []byte) { _, _ = Parse("f.yaml", data) })
}

// TestURLErrorsHideCredentials: a malformed URL is quoted in the error
// without its user:password@ (issue 10, item 9).
func TestURLErrorsHideCredentials(t *testing.T) {
	_, err := Parse("c.yaml", []byte("nats: {urls: [\"http://ctl:natsS3cret@n1:4222\"], agent_auth: false}\ninflux: {url: \"ftp://u:influxS3cret@i:8086\", bucket: b}\n"))
	if err == nil {
		t.Fatal("bad URLs accepted")
	}
	for _, s := range []string{"natsS3cret", "influxS3cret", "ctl:", "u:"} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error shows %q: %v", s, err)
		}
	}
	if !strings.Contains(err.Error(), `"http://n1:4222" is not a nats://`) || !strings.Contains(err.Error(), `"ftp://i:8086" is not an http(s) URL`) {
		t.Errorf("error does not name the URLs: %v", err)
	}
}

// TestPingConfirmDefaults: confirmation is on for derived probes, every
// 200 ms (at most the probe interval), and without an explicit timeout the
// derived round times out at the confirmation interval; packets that do not
// fit in a confirmation round are refused with the field.
func TestPingConfirmDefaults(t *testing.T) {
	head := "influx: {url: 'http://i:8086', bucket: b}\n"
	c, err := Parse("c.yaml", []byte(head+"remote_config: {enabled: true}\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := c.RemoteConfig.Ping
	if !*p.Confirm.Enabled || p.Confirm.Interval != 200*time.Millisecond || *p.Confirm.Watch != time.Minute || p.Timeout != 200*time.Millisecond {
		t.Fatalf("defaults: %+v timeout %s", p.Confirm, p.Timeout)
	}
	c, err = Parse("c.yaml", []byte(head+"remote_config: {ping: {interval: 150ms, timeout: 100ms, confirm: {enabled: false}}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p := c.RemoteConfig.Ping; *p.Confirm.Enabled || p.Confirm.Interval != 150*time.Millisecond || p.Timeout != 100*time.Millisecond {
		t.Fatalf("explicit: %+v timeout %s", p.Confirm, p.Timeout)
	}
	_, err = Parse("c.yaml", []byte(head+"remote_config:\n  ping: {packet_interval: 100ms}\n"))
	want := "c.yaml:3: remote_config.ping.packet_interval: 3 requests 100ms apart do not fit in confirm.interval 200ms"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want %s", err, want)
	}
}
