package main

import (
	"testing"

	"github.com/vantage-net/vantage/controller/config"
)

// The demo's controller config, notify block included, loads and builds
// the notifier's options (the demo fails at start otherwise).
func TestDemoNotifyConfigLoads(t *testing.T) {
	text := controllerYAML("127.0.0.1:9100", 4222, t.TempDir(), influxInfo{url: "http://127.0.0.1:8086", bucket: "vantage/autogen"}) +
		notifyYAML(2525)
	c, err := config.Parse("controller.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	o, err := c.Notify.NotifyOptions()
	if err != nil {
		t.Fatal(err)
	}
	if o.Email == nil || o.Email.Port != 2525 || o.Rules["diamond"].OutageAfter.Seconds() != 5 || len(o.Ops) != 1 {
		t.Errorf("options %+v", o)
	}
}
