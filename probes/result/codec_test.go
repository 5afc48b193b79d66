package result

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

func goodBatch() *Batch {
	return &Batch{Agent: "cpe-0001", Results: []Result{{
		Time:        now.Add(-time.Second),
		Measurement: "ping",
		Probe:       "pop",
		Tags:        map[string]string{"target": "198.18.0.1", "line": "L1"},
		Fields:      map[string]float64{"sent": 3, "recv": 3, "loss_pct": 0, "rtt_avg_ms": 1.2},
	}}}
}

func TestRoundTrip(t *testing.T) {
	b := goodBatch()
	data, err := Encode(b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := got.Validate(Window{Now: now, MaxFuture: time.Minute}); err != nil {
		t.Fatalf("valid batch refused: %v", err)
	}
	if !got.Results[0].Time.Equal(b.Results[0].Time) || got.Results[0].Fields["rtt_avg_ms"] != 1.2 {
		t.Fatalf("round trip changed the result: %+v", got.Results[0])
	}
}

func TestValidateNamesTheField(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*Batch)
		want   string
	}{
		{"bad agent", func(b *Batch) { b.Agent = "a.b" }, "agent: "},
		{"empty", func(b *Batch) { b.Results = nil }, "results: empty batch"},
		{"unknown measurement", func(b *Batch) { b.Results[0].Measurement = "pong" }, `results[0].m: unknown measurement "pong"`},
		{"unknown tag", func(b *Batch) { b.Results[0].Tags["colour"] = "red" }, "results[0].tags.colour: tag not allowed"},
		{"missing target", func(b *Batch) { delete(b.Results[0].Tags, "target") }, "results[0].tags.target: required tag is missing"},
		{"unknown field", func(b *Batch) { b.Results[0].Fields["speed"] = 1 }, "results[0].f.speed: field not allowed"},
		{"fractional int", func(b *Batch) { b.Results[0].Fields["sent"] = 1.5 }, "results[0].f.sent: 1.5 is not a whole number"},
		{"newline tag", func(b *Batch) { b.Results[0].Tags["line"] = "a\nb" }, "results[0].tags.line: value must be printable"},
		{"no timestamp", func(b *Batch) { b.Results[0].Time = time.Time{} }, "results[0].t: missing"},
		{"no fields", func(b *Batch) { b.Results[0].Fields = nil }, "results[0].f: a result needs fields"},
		{"string field on ping", func(b *Batch) { b.Results[0].Text = map[string]string{"version": "1"} },
			`results[0].s.version: string field not allowed on measurement "ping"`},
		{"bool not 0/1", func(b *Batch) {
			b.Results[0] = Result{Time: now, Measurement: "dial", Tags: map[string]string{"target": "x:1", "kind": "tcp"}, Fields: map[string]float64{"ok": 2}}
		}, "results[0].f.ok: 2 is not 0 or 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := goodBatch()
			c.mutate(b)
			err := b.Validate(Window{Now: now, MaxFuture: time.Minute})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
}

func TestFutureTimestampRefused(t *testing.T) {
	b := goodBatch()
	b.Results[0].Time = now.Add(time.Hour)
	err := b.Validate(Window{Now: now, MaxFuture: 5 * time.Minute})
	if !errors.Is(err, ErrFuture) {
		t.Fatalf("got %v, want ErrFuture", err)
	}
}

func TestDecodeRefusesUnknownKeysAndGarbage(t *testing.T) {
	for _, in := range []string{`{"agent":"a","results":[],"extra":1}`, `not json`, `{"agent":"a"} {}`, ``} {
		if _, err := Decode([]byte(in)); err == nil {
			t.Errorf("Decode(%q) accepted", in)
		}
	}
}

// FuzzDecode feeds arbitrary bytes through the controller's decode and
// validate path: it must return an error or a batch, never panic.
func FuzzDecode(f *testing.F) {
	data, _ := Encode(goodBatch())
	f.Add(data)
	f.Add([]byte(`{"agent":"x","results":[{"t":"2026-01-01T00:00:00Z","m":"dial","tags":{"target":"a","kind":"tcp"},"f":{"ok":1}}]}`))
	f.Add([]byte(`{"agent":"x","results":[{"t":"9999-01-01T00:00:00Z","m":"http","f":{"status":1e308}}]}`))
	f.Add([]byte(`{"agent":"x","results":[{"t":"2026-11-23T07:59:00Z","m":"ping","tags":{"target":"a"},"f":{"loss_pct":-5,"sent":-1,"recv":2}}]}`))
	f.Add([]byte(`{"agent":"x","results":[{"t":"2026-11-23T07:59:00Z","m":"line_state","tags":{"line":"L1"},"f":{"up":0}}]}`))
	f.Add([]byte(`{"agent":"x","results":[{"t":"2000-01-01T00:00:01Z","m":"http","tags":{"target":"a"},"f":{"status":-999999}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Decode(data)
		if err != nil {
			return
		}
		if err := b.Validate(Window{Now: now, MaxFuture: time.Minute, MaxAge: 7 * 24 * time.Hour}); err != nil {
			return
		}
		// A batch that validates holds only agent measurements, with
		// every value inside its range and recv never above sent.
		for _, r := range b.Results {
			s := Schemas[r.Measurement]
			if !s.FromAgents {
				t.Fatalf("controller measurement %q accepted", r.Measurement)
			}
			for k, v := range r.Fields {
				if rg := s.Ranges[k]; v < rg.Min || v > rg.Max {
					t.Fatalf("%s.%s = %v accepted outside %v", r.Measurement, k, v, rg)
				}
			}
			recv, okR := r.Fields["recv"]
			sent, okS := r.Fields["sent"]
			if okR && okS && recv > sent {
				t.Fatalf("recv %v above sent %v accepted", recv, sent)
			}
		}
		// A batch that validates must encode again.
		if _, err := Encode(b); err != nil {
			t.Fatalf("valid batch does not encode: %v", err)
		}
	})
}
