package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestInfluxQueueValidation: each bad influx_queue key is reported with
// its file:line, field and why; no block takes the defaults.
func TestInfluxQueueValidation(t *testing.T) {
	base := "influx: {url: http://127.0.0.1:8086, bucket: vantage}\n"
	for _, tc := range []struct{ text, want string }{
		{"influx_queue: {max_bytes: 1000}\n", "controller.yaml:2: influx_queue.max_bytes: 1000 is less than 64 MiB"},
		{"influx_queue: {fsync: sometimes}\n", `controller.yaml:2: influx_queue.fsync: "sometimes" is not one of interval, always, never`},
		{"influx_queue: {linger: 1m}\n", "controller.yaml:2: influx_queue.linger: 1m0s is outside 0..10s"},
		{"influx_queue: {max_points: -1}\n", "controller.yaml:2: influx_queue.max_points: -1 is outside 1..1000000"},
	} {
		_, err := Parse("controller.yaml", []byte(base+tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.text, err, tc.want)
		}
	}
	c, err := Parse("controller.yaml", []byte(base+"data_dir: /var/lib/vantage\n"))
	if err != nil {
		t.Fatal(err)
	}
	q := c.InfluxQueue
	if !*q.Enabled || q.Dir != filepath.Join("/var/lib/vantage", "influx-queue") || q.MaxBytes != 10<<30 ||
		q.Fsync != "interval" || q.Linger != time.Second || q.MaxPoints != 10000 {
		t.Errorf("defaults: %+v", q)
	}
}
