package linestate

import (
	"testing"
	"time"

	"github.com/vantage-net/vantage/probes/result"
)

func TestFromResult(t *testing.T) {
	now := at(0)
	cases := []struct {
		name   string
		r      result.Result
		ok     bool
		kind   Kind
		source string
	}{
		{"ping ok", result.Result{Time: now, Measurement: "ping", Tags: map[string]string{"line": "L1", "target": "198.18.0.1"},
			Fields: map[string]float64{"sent": 3, "recv": 2, "loss_pct": 33.3, "rtt_avg_ms": 4}}, true, ProbeOK, "cpe-1"},
		{"ping all lost", result.Result{Time: now, Measurement: "ping", Tags: map[string]string{"line": "L1", "target": "198.18.0.1"},
			Fields: map[string]float64{"sent": 3, "recv": 0, "loss_pct": 100}, Error: "timeout"}, true, ProbeFail, "cpe-1"},
		{"no line tag", result.Result{Time: now, Measurement: "ping", Tags: map[string]string{"target": "x"},
			Fields: map[string]float64{"sent": 3, "recv": 3}}, false, 0, ""},
		{"http 500 still passed traffic", result.Result{Time: now, Measurement: "http", Tags: map[string]string{"line": "L1", "target": "u"},
			Fields: map[string]float64{"ok": 0, "status": 500}, Error: "status"}, true, ProbeOK, "cpe-1"},
		{"dial timeout", result.Result{Time: now, Measurement: "dial", Tags: map[string]string{"line": "L1", "target": "a:1", "kind": "tcp"},
			Fields: map[string]float64{"ok": 0}, Error: "timeout"}, true, ProbeFail, "cpe-1"},
		{"dns failure says nothing of the line", result.Result{Time: now, Measurement: "dial", Tags: map[string]string{"line": "L1", "target": "a", "kind": "dns"},
			Fields: map[string]float64{"ok": 0}, Error: "dns"}, false, 0, ""},
		{"oper down", result.Result{Time: now, Measurement: "snmp_if", Tags: map[string]string{"line": "L1", "device": "pe1", "ifindex": "7"},
			Fields: map[string]float64{"oper_up": 0}}, true, DownSignal, "cpe-1/pe1"},
		{"link up trap", result.Result{Time: now, Measurement: "snmp_event", Tags: map[string]string{"line": "L1", "device": "pe1", "kind": "link_up", "source": "trap"},
			Fields: map[string]float64{"oper_up": 1}}, true, UpSignal, "cpe-1/pe1"},
		{"unseen flap", result.Result{Time: now, Measurement: "snmp_event", Tags: map[string]string{"line": "L1", "device": "pe1", "kind": "unseen_flap", "source": "poll"},
			Fields: map[string]float64{"earliest_unix": float64(at(-30).Unix()), "latest_unix": float64(at(-2).Unix())}}, true, FlapBetween, "cpe-1/pe1"},
		{"reboot is not line evidence", result.Result{Time: now, Measurement: "snmp_event", Tags: map[string]string{"line": "L1", "device": "pe1", "kind": "reboot"},
			Fields: map[string]float64{}}, false, 0, ""},
		{"snmp scalar", result.Result{Time: now, Measurement: "snmp", Tags: map[string]string{"line": "L1", "device": "r", "metric": "rsrp"},
			Fields: map[string]float64{"value": -90}}, false, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev, ok := FromResult("cpe-1", &c.r)
			if ok != c.ok || ok && (ev.Kind != c.kind || ev.Source != c.source || ev.Line != "L1") {
				t.Fatalf("got %+v %v", ev, ok)
			}
			if ok {
				if err := ev.validate(); err != nil {
					t.Fatal(err)
				}
			}
			if c.kind == FlapBetween && (!ev.From.Equal(at(-30)) || !ev.Time.Equal(at(-2))) {
				t.Fatalf("bounds %s..%s", ev.From, ev.Time)
			}
			if c.kind == ProbeOK && c.r.Measurement == "ping" && (!ev.HasMetrics || ev.Metrics.RTTMs != 4) {
				t.Fatalf("metrics %+v", ev.Metrics)
			}
		})
	}
	// The packed buffer keeps an unseen flap's window and a round's metrics.
	ev := Evidence{Time: at(0), From: at(0).Add(-90 * time.Second), Kind: FlapBetween}
	if p := packPend(&ev, 0); p.from() != ev.From.UnixNano() {
		t.Fatalf("from %d, want %d", p.from(), ev.From.UnixNano())
	}
	ev = Evidence{Time: at(0), Kind: ProbeOK, HasMetrics: true, Metrics: Metrics{LossPct: 12.34, RTTMs: 99999, JitterMs: 1.26}}
	if p := packPend(&ev, 0); p.lossPct() != 12.34 || p.rttMs() != 6553.5 || p.jitMs() != 1.3 {
		t.Fatalf("metrics %v %v %v", p.lossPct(), p.rttMs(), p.jitMs())
	}
}

// TestFromResultConfirm: the agent's confirm field (agent/schedule) makes
// a confirmation round, same source and probe as the slot's rounds, and
// the mark survives the 16-byte buffer; results without it (every agent
// before confirmation) are ordinary rounds.
func TestFromResultConfirm(t *testing.T) {
	tags := map[string]string{"line": "L1", "target": "198.18.0.1"}
	slot := result.Result{Time: at(0), Measurement: "ping", Tags: tags, Fields: map[string]float64{"sent": 3, "recv": 0}, Error: "timeout"}
	conf := result.Result{Time: at(0.8), Measurement: "ping", Tags: tags, Fields: map[string]float64{"sent": 3, "recv": 0, "confirm": 1}, Error: "timeout"}
	b := &result.Batch{Agent: "cpe-1", Results: []result.Result{slot, conf}}
	if err := b.Validate(result.Window{Now: at(1), MaxFuture: time.Minute}); err != nil {
		t.Fatalf("the confirm field is refused by the result contract: %v", err)
	}
	es, okS := FromResult("cpe-1", &slot)
	ec, okC := FromResult("cpe-1", &conf)
	if !okS || !okC || es.Confirm || !ec.Confirm || ec.Kind != ProbeFail || ec.Source != es.Source || ec.Probe != es.Probe {
		t.Fatalf("slot %+v, confirmation %+v", es, ec)
	}
	p := packPend(&ec, 3)
	if !p.confirm() || p.kind() != ProbeFail || p.Src != 3 {
		t.Fatalf("packed %+v: confirm %v kind %v", p, p.confirm(), p.kind())
	}
	if p := packPend(&es, 3); p.confirm() || p.kind() != ProbeFail {
		t.Fatalf("a slot round packed as %+v", p)
	}
}
