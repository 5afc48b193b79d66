package result

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// Every field an agent may send has a range, and every range names a
// field: a new field without one fails here, not in production.
func TestEveryAgentFieldHasARange(t *testing.T) {
	for name, s := range Schemas {
		if !s.FromAgents {
			continue
		}
		for k := range s.Fields {
			r, ok := s.Ranges[k]
			if !ok {
				t.Errorf("%s.%s has no range", name, k)
			} else if !(r.Min <= r.Max) {
				t.Errorf("%s.%s range %v is empty", name, k, r)
			}
		}
		for k := range s.Ranges {
			if _, ok := s.Fields[k]; !ok {
				t.Errorf("%s range for unknown field %q", name, k)
			}
		}
	}
}

// result builds a valid result of measurement m with one field set.
func oneField(m, field string, v float64) Result {
	tags := map[string]string{}
	for _, k := range Schemas[m].Required {
		tags[k] = "x"
	}
	return Result{Time: now.Add(-time.Second), Measurement: m, Tags: tags, Fields: map[string]float64{field: v}}
}

func TestFieldRanges(t *testing.T) {
	cases := []struct {
		m, field string
		v        float64
		ok       bool
	}{
		{"ping", "loss_pct", 0, true}, {"ping", "loss_pct", 100, true},
		{"ping", "loss_pct", -5, false}, {"ping", "loss_pct", 100.5, false},
		{"ping", "sent", 0, true}, {"ping", "sent", -1, false}, {"ping", "recv", -3, false},
		{"ping", "rtt_avg_ms", 60000, true}, {"ping", "rtt_avg_ms", 1.7e308, false},
		{"ping", "rtt_min_ms", -0.1, false}, {"ping", "rtt_max_ms", 60000.5, false}, {"ping", "jitter_ms", -1, false},
		{"dial", "connect_ms", 12.5, true}, {"dial", "dns_ms", -1, false}, {"dial", "tls_ms", 1e300, false},
		{"dial", "cert_days_left", -3, true}, {"dial", "cert_days_left", 1e6, false},
		{"http", "status", 100, true}, {"http", "status", 599, true}, {"http", "status", -999999, false},
		{"http", "status", 99, false}, {"http", "status", 600, false},
		{"http", "bytes", 0, true}, {"http", "bytes", -1, false},
		{"http", "total_ms", -2, false}, {"http", "ttfb_ms", 3.6e6 + 1, false}, {"http", "throughput_kbps", -1, false},
		{"snmp_if", "in_bps", 1e9, true}, {"snmp_if", "in_bps", -1, false}, {"snmp_if", "out_bps", 1e14, false},
		{"snmp_if", "in_errors", -1, false}, {"snmp_if", "last_change_s", -1, false},
		{"snmp", "value", -110.5, true}, {"snmp", "value", 1.8e19, true},
		{"snmp_event", "earliest_unix", 1.7e9, true}, {"snmp_event", "earliest_unix", -1, false},
		{"snmp_event", "latest_unix", 1e11, false}, {"snmp_event", "uptime_s", -1, false},
		// confirm marks a confirmation round (agent/schedule) by its index.
		{"ping", "confirm", 1, true}, {"ping", "confirm", 0, false}, {"dial", "confirm", 3, true},
		{"http", "confirm", 2, true}, {"http", "confirm", -1, false},
	}
	for _, c := range cases {
		b := &Batch{Agent: "cpe-1", Results: []Result{oneField(c.m, c.field, c.v)}}
		err := b.Validate(Window{Now: now, MaxFuture: time.Minute})
		if c.ok {
			if err != nil {
				t.Errorf("%s.%s = %v refused: %v", c.m, c.field, c.v, err)
			}
			continue
		}
		if !errors.Is(err, ErrOutOfRange) || !strings.Contains(err.Error(), "results[0].f."+c.field+": "+c.m+"."+c.field) {
			t.Errorf("%s.%s = %v: got %v, want ErrOutOfRange naming %s.%s", c.m, c.field, c.v, err, c.m, c.field)
		}
	}
}

func TestRecvAboveSentRefused(t *testing.T) {
	b := goodBatch()
	b.Results[0].Fields["recv"] = 4 // sent 3
	err := b.Validate(Window{Now: now, MaxFuture: time.Minute})
	if !errors.Is(err, ErrOutOfRange) || !strings.Contains(err.Error(), "results[0].f.recv: ping.recv 4 is above sent 3") {
		t.Fatalf("got %v", err)
	}
}

// Agents may send only their own measurements; line state, line events
// and the agent registry are the controller's.
func TestControllerMeasurementsForbidden(t *testing.T) {
	agents := map[string]bool{"ping": true, "dial": true, "http": true, "snmp_if": true, "snmp": true, "snmp_event": true}
	for name, s := range Schemas {
		if s.FromAgents != agents[name] {
			t.Errorf("%s: FromAgents %v, DESIGN.md says %v", name, s.FromAgents, agents[name])
		}
	}
	for _, m := range []string{"line_state", "line_event", "agent"} {
		r := Result{Time: now, Measurement: m, Tags: map[string]string{"line": "L1", "kind": "outage"}, Fields: map[string]float64{"up": 0}}
		b := &Batch{Agent: "cpe-1", Results: []Result{r}}
		err := b.Validate(Window{Now: now, MaxFuture: time.Minute})
		if !errors.Is(err, ErrForbidden) || !strings.Contains(err.Error(), "results[0].m: measurement \""+m+"\" is written by the controller only") {
			t.Errorf("%s: got %v, want ErrForbidden", m, err)
		}
	}
}

func TestTooOldTimestampRefused(t *testing.T) {
	w := Window{Now: now, MaxFuture: time.Minute, MaxAge: 7 * 24 * time.Hour}
	b := goodBatch()
	b.Results[0].Time = time.Date(2000, 1, 2, 0, 0, 0, 0, time.UTC)
	if err := b.Validate(w); !errors.Is(err, ErrPast) || !strings.HasPrefix(err.Error(), "results[0].t: 2000-01-02T00:00:00Z") {
		t.Fatalf("year 2000: got %v, want ErrPast", err)
	}
	b.Results[0].Time = now.Add(-7*24*time.Hour + time.Minute)
	if err := b.Validate(w); err != nil {
		t.Fatalf("a result within the max age refused: %v", err)
	}
	w.MaxAge = 0
	b.Results[0].Time = time.Date(2000, 1, 2, 0, 0, 0, 0, time.UTC)
	if err := b.Validate(w); err != nil {
		t.Fatalf("no max age: %v", err)
	}
}

// Non-finite values stay refused before any range applies.
func TestNonFiniteStillRefused(t *testing.T) {
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		b := &Batch{Agent: "cpe-1", Results: []Result{oneField("snmp", "value", v)}}
		err := b.Validate(Window{Now: now, MaxFuture: time.Minute})
		if err == nil || !strings.Contains(err.Error(), "results[0].f.value: not a finite number") {
			t.Errorf("%v: got %v", v, err)
		}
	}
}
