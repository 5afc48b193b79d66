package snmp

import (
	"math"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/vantage-net/vantage/probes/probe"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// snapOf builds a snapshot the way a poll does: through the walker.
func snapOf(t *testing.T, uptime uint32, ifs []fakeIf) snapshot {
	t.Helper()
	f := newFakeAgent()
	f.load(uptime, ifs)
	w, err := walkColumns(f, true, 10, ifColumns)
	if err != nil {
		t.Fatal(err)
	}
	return snapshot{uptime: w.uptime, hasUptime: w.hasUptime, rows: rowsFrom(w)}
}

// find returns the samples of one measurement for one ifindex ("" = any).
func find(samples []probe.Sample, measurement, ifindex string) []probe.Sample {
	var out []probe.Sample
	for _, s := range samples {
		if s.Measurement == measurement && (ifindex == "" || s.Tags["ifindex"] == ifindex) {
			out = append(out, s)
		}
	}
	return out
}

func one(t *testing.T, samples []probe.Sample, measurement, ifindex string) probe.Sample {
	t.Helper()
	got := find(samples, measurement, ifindex)
	if len(got) != 1 {
		t.Fatalf("want one %s sample for ifindex %q, got %d: %+v", measurement, ifindex, len(got), samples)
	}
	return got[0]
}

func TestFirstPollHasStatesButNoRates(t *testing.T) {
	s := newDeviceState()
	cfg := Device{Interfaces: []InterfaceLine{{Name: "ge-0/0/1", Line: "L-1"}}}
	out, _ := s.update("r1", t0, snapOf(t, 10000, threeIfs()), cfg)
	if len(find(out, MeasurementIf, "")) != 3 || len(find(out, MeasurementEvent, "")) != 0 {
		t.Fatalf("first poll: %+v", out)
	}
	ge := one(t, out, MeasurementIf, "2")
	if ge.Tags["line"] != "L-1" || ge.Tags["ifname"] != "ge-0/0/1" || ge.Tags["device"] != "r1" {
		t.Fatalf("tags %v", ge.Tags)
	}
	if ge.Fields["oper_up"] != 1 || ge.Fields["admin_up"] != 1 || ge.Fields["last_change_s"] != 95 {
		t.Fatalf("fields %v", ge.Fields)
	}
	if _, ok := ge.Fields["in_bps"]; ok {
		t.Fatal("a first poll has no rate")
	}
}

func TestRatesAcross64And32BitWrap(t *testing.T) {
	s := newDeviceState()
	ifs := []fakeIf{
		{index: 1, name: "hc", up: true, in: 1<<40 - 100, out: 0, speedMbps: 1000},
		{index: 2, name: "c32", up: true, in: 0xffffffff - 999, out: 10, no64: true, speedMbps: 1000},
	}
	s.update("r1", t0, snapOf(t, 10000, ifs), Device{})
	ifs[0].in += 1250000 // 1 Mb/s over 10 s
	ifs[0].out = 2500000
	ifs[1].in = 250000 - 1000 // wrapped: +250,000 bytes = 200 kb/s
	ifs[1].out = 5            // smaller, no wrap plausible? 4 GB in 10 s on 1 Gb/s: no
	out, rep := s.update("r1", t0.Add(10*time.Second), snapOf(t, 11000, ifs), Device{})
	hc := one(t, out, MeasurementIf, "1")
	if hc.Fields["in_bps"] != 1e6 || hc.Fields["out_bps"] != 2e6 {
		t.Fatalf("64-bit rates: %v", hc.Fields)
	}
	c32 := one(t, out, MeasurementIf, "2")
	if c32.Fields["in_bps"] != 200000 {
		t.Fatalf("32-bit wrap: %v", c32.Fields)
	}
	if _, ok := c32.Fields["out_bps"]; ok || rep.discontinuities != 1 {
		t.Fatalf("implausible wrap must give no rate and one discontinuity: %v %+v", c32.Fields, rep)
	}
}

func TestErrorsAreDeltas(t *testing.T) {
	s := newDeviceState()
	ifs := []fakeIf{{index: 1, name: "a", up: true, inErr: 5}}
	s.update("r1", t0, snapOf(t, 1000, ifs), Device{})
	ifs[0].inErr = 12
	out, _ := s.update("r1", t0.Add(30*time.Second), snapOf(t, 4000, ifs), Device{})
	if f := one(t, out, MeasurementIf, "1").Fields; f["in_errors"] != 7 || f["out_errors"] != 0 {
		t.Fatalf("got %v", f)
	}
}

func TestRebootDropsBaselinesInsteadOfSpiking(t *testing.T) {
	s := newDeviceState()
	ifs := []fakeIf{{index: 1, name: "wan", up: true, lastChange: 100, in: 5e9, out: 5e9, no64: false}}
	s.update("r1", t0, snapOf(t, 500000, ifs), Device{})
	// Rebooted: uptime 20 s, counters restarted, ifLastChange restarted.
	ifs[0].in, ifs[0].out, ifs[0].lastChange = 1000, 2000, 300
	now := t0.Add(60 * time.Second)
	out, rep := s.update("r1", now, snapOf(t, 2000, ifs), Device{})
	if !rep.reboot {
		t.Fatal("reboot not seen")
	}
	wan := one(t, out, MeasurementIf, "1")
	if _, ok := wan.Fields["in_bps"]; ok {
		t.Fatalf("rate across a reboot: %v", wan.Fields)
	}
	if ev := find(out, MeasurementEvent, "1"); len(ev) != 0 {
		t.Fatalf("ifLastChange across a reboot must not be a flap: %+v", ev)
	}
	rb := find(out, MeasurementEvent, "")
	if len(rb) != 1 || rb[0].Tags["kind"] != KindReboot || rb[0].Tags["source"] != SourcePoll {
		t.Fatalf("reboot event: %+v", rb)
	}
	if boot := rb[0].Fields["latest_unix"]; boot != unixSeconds(now.Add(-20*time.Second)) {
		t.Fatalf("boot time %v", boot)
	}
	// The poll after the reboot has rates again.
	ifs[0].in += 1000
	out, _ = s.update("r1", now.Add(10*time.Second), snapOf(t, 3000, ifs), Device{})
	if one(t, out, MeasurementIf, "1").Fields["in_bps"] != 800 {
		t.Fatalf("no rate after the reboot: %+v", out)
	}
}

func TestUnseenFlapFromIfLastChange(t *testing.T) {
	s := newDeviceState()
	cfg := Device{Interfaces: []InterfaceLine{{Alias: "CID-1001", Line: "L-1001"}}}
	ifs := threeIfs()
	s.update("r1", t0, snapOf(t, 100000, ifs), cfg) // up since uptime 5 s
	// 30 s later: still up, but the port went down and came back; the last
	// change (the "up") was at uptime 1020 s, i.e. 10 s before this poll.
	ifs[1].lastChange = 102000
	now := t0.Add(30 * time.Second)
	out, rep := s.update("r1", now, snapOf(t, 103000, ifs), cfg)
	ev := one(t, out, MeasurementEvent, "2")
	if ev.Tags["kind"] != KindUnseenFlap || ev.Tags["line"] != "L-1001" || ev.Tags["ifname"] != "ge-0/0/1" {
		t.Fatalf("tags %v", ev.Tags)
	}
	if ev.Fields["oper_up"] != 1 || ev.Fields["earliest_unix"] != unixSeconds(t0) ||
		ev.Fields["latest_unix"] != unixSeconds(now.Add(-10*time.Second)) || ev.Fields["uptime_s"] != 1020 {
		t.Fatalf("fields %v", ev.Fields)
	}
	if !ev.Time.Equal(now.Add(-10*time.Second)) || rep.unseenFlaps != 1 {
		t.Fatalf("time %v, report %+v", ev.Time, rep)
	}
	// Nothing moved: no event.
	out, _ = s.update("r1", now.Add(30*time.Second), snapOf(t, 106000, ifs), cfg)
	if ev := find(out, MeasurementEvent, ""); len(ev) != 0 {
		t.Fatalf("event without a change: %+v", ev)
	}
}

func TestSeenTransitionsAreLinkEvents(t *testing.T) {
	s := newDeviceState()
	ifs := threeIfs()
	s.update("r1", t0, snapOf(t, 100000, ifs), Device{})
	ifs[1].up, ifs[1].lastChange = false, 101000
	ifs[2].up, ifs[2].lastChange = true, 102000
	now := t0.Add(30 * time.Second)
	out, _ := s.update("r1", now, snapOf(t, 103000, ifs), Device{})
	down := one(t, out, MeasurementEvent, "2")
	up := one(t, out, MeasurementEvent, "7")
	if down.Tags["kind"] != KindLinkDown || down.Fields["oper_up"] != 0 || down.Fields["latest_unix"] != unixSeconds(now.Add(-20*time.Second)) {
		t.Fatalf("down: %+v", down)
	}
	if up.Tags["kind"] != KindLinkUp || up.Fields["oper_up"] != 1 {
		t.Fatalf("up: %+v", up)
	}
	// A garbage ifLastChange (ahead of sysUpTime) stays inside the poll bounds.
	ifs[1].up, ifs[1].lastChange = true, 999999
	out, _ = s.update("r1", now.Add(30*time.Second), snapOf(t, 106000, ifs), Device{})
	ev := one(t, out, MeasurementEvent, "2")
	if lt := ev.Fields["latest_unix"]; lt < unixSeconds(now) || lt > unixSeconds(now.Add(30*time.Second)) {
		t.Fatalf("latest outside the poll interval: %v", ev.Fields)
	}
}

func TestOnlyMapped(t *testing.T) {
	s := newDeviceState()
	yes := true
	cfg := Device{OnlyMapped: &yes, Interfaces: []InterfaceLine{{Index: 7, Line: "L-7"}}}
	out, _ := s.update("r1", t0, snapOf(t, 100, threeIfs()), cfg)
	got := find(out, MeasurementIf, "")
	if len(got) != 1 || got[0].Tags["line"] != "L-7" || got[0].Tags["ifname"] != "ge-0/0/2" {
		t.Fatalf("got %+v", got)
	}
}

func TestScalarsGaugeAndCounter(t *testing.T) {
	f := newFakeAgent()
	cfg := Device{Scalars: []Scalar{
		{Name: "rsrp", OID: "1.3.6.1.4.1.99999.1.1.0", Type: "gauge", Scale: 0.1},
		{Name: "sinr", OID: ".1.3.6.1.4.1.99999.1.2.0", Type: "gauge", Scale: 1},
		{Name: "rx", OID: "1.3.6.1.4.1.99999.1.3.0", Type: "counter", Scale: 1},
		{Name: "gone", OID: "1.3.6.1.4.1.99999.1.9.0", Type: "gauge", Scale: 1},
	}}
	f.set("1.3.6.1.4.1.99999.1.1.0", gosnmp.Integer, -953) // tenths of a dBm
	f.set("1.3.6.1.4.1.99999.1.2.0", gosnmp.OctetString, []byte("12.5 dB"))
	f.set("1.3.6.1.4.1.99999.1.3.0", gosnmp.Counter32, uint(0xffffffff-99))
	for _, v1 := range []bool{false, true} {
		f.v1 = v1
		s := newDeviceState()
		vals, errs, err := getScalars(f, cfg.Scalars)
		if err != nil {
			t.Fatal(err)
		}
		out := s.scalarSamples("r1", snapshot{scalars: vals, scalarErr: errs}, false, 0, cfg)
		byName := map[string]probe.Sample{}
		for _, o := range out {
			byName[o.Tags["metric"]] = o
		}
		if math.Abs(byName["rsrp"].Fields["value"]+95.3) > 1e-9 || byName["sinr"].Fields["value"] != 12.5 {
			t.Fatalf("v1=%v gauges: %+v", v1, out)
		}
		if _, ok := byName["rx"]; ok {
			t.Fatal("a counter's first poll has no value")
		}
		if byName["gone"].Error != probe.ErrProtocol {
			t.Fatalf("missing OID: %+v", byName["gone"])
		}
		f.set("1.3.6.1.4.1.99999.1.3.0", gosnmp.Counter32, uint(100)) // wrapped: +200 in 10 s
		vals, errs, _ = getScalars(f, cfg.Scalars)
		out = s.scalarSamples("r1", snapshot{scalars: vals, scalarErr: errs}, true, 10, cfg)
		rates := 0
		for _, o := range out {
			if o.Tags["metric"] == "rx" {
				rates++
				if o.Fields["value"] != 20 {
					t.Fatalf("counter rate: %+v", o)
				}
			}
		}
		if rates != 1 {
			t.Fatalf("v1=%v: no counter rate in %+v", v1, out)
		}
		f.set("1.3.6.1.4.1.99999.1.3.0", gosnmp.Counter32, uint(0xffffffff-99))
	}
}
