package config

import (
	"strings"
	"testing"
	"time"
)

func TestComplaintsValidation(t *testing.T) {
	base := "influx: {url: http://127.0.0.1:8086, bucket: vantage}\n"
	for _, tc := range []struct{ text, want string }{
		{"complaints: {time_zone: Mars/Base}\n", `controller.yaml:2: complaints.time_zone: "Mars/Base" is not an IANA time zone (e.g. Asia/Shanghai)`},
		{"complaints: {grid_precision: 13}\n", "controller.yaml:2: complaints.grid_precision: 13 is outside 1..12"},
		{"complaints: {repeat_count: 1}\n", "complaints.repeat_count: 1: a repeat needs at least 2 complaints"},
		{"complaints: {repeat_days: -1}\n", "complaints.repeat_days: -1 is outside 1..3650"},
		{"complaints: {window_before: 800h}\n", "complaints.window_before: 800h0m0s is outside 0..720h"},
		{"complaints: {reevaluate_interval: 10ms}\n", "complaints.reevaluate_interval: 10ms is shorter than 1s"},
	} {
		_, err := Parse("controller.yaml", []byte(base+tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.text, err, tc.want)
		}
	}
	c, err := Parse("controller.yaml", []byte(base+"complaints: {time_zone: Asia/Shanghai}\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := c.Complaints
	if p.Location().String() != "Asia/Shanghai" || p.WindowBefore != 24*time.Hour || p.GridPrecision != 7 ||
		p.RepeatCount != 3 || p.RepeatDays != 30 || p.ReevaluateInterval != time.Minute {
		t.Errorf("defaults: %+v", p)
	}
}
