package result

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// TestEncodeMatchesJSON: Encode's bytes are encoding/json's for every batch
// (the controller's fast-path decoder reads exactly those), errors
// included, over seeded random batches with awkward strings, floats and
// times.
func TestEncodeMatchesJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	strs := []string{"", "ping", "198.18.0.1", "L-00001", "a\"b\\c", "<&>", "tab\there\nnl\r\b\f\x00\x1f\x7f",
		"线路-北京", "bad\xffutf8\xc3", "sep\u2028\u2029", "emoji 🙂"}
	floats := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 1.3, 123456.789, 1e-7, 9.99e-7, 1e-6, 1e20, 1e21, 1.5e300, -2.5e-9, 5e-324, math.MaxFloat64, 3}
	times := []time.Time{
		time.Date(2026, 12, 1, 7, 8, 9, 123456789, time.UTC),
		time.Date(2026, 12, 1, 7, 8, 9, 0, time.UTC),
		time.Date(2026, 12, 1, 7, 8, 9, 100000000, time.FixedZone("CST", 8*3600)),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Now(), // monotonic reading, local zone
	}
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	strMap := func() map[string]string {
		n := rng.IntN(6)
		if n == 5 {
			return map[string]string{} // empty, not nil: omitted all the same
		}
		var m map[string]string
		for range n {
			if m == nil {
				m = map[string]string{}
			}
			m[pick(strs)] = pick(strs)
		}
		return m
	}
	for i := range 3000 {
		var b Batch
		b.Agent = pick(strs)
		if i%50 != 0 {
			b.Results = make([]Result, rng.IntN(4))
		}
		for j := range b.Results {
			r := Result{Time: times[rng.IntN(len(times))], Measurement: pick(strs), Probe: pick(strs),
				Tags: strMap(), Error: pick(strs), Text: strMap(), Detail: pick(strs)}
			if n := rng.IntN(5); n > 0 {
				r.Fields = map[string]float64{}
				for range n {
					r.Fields[pick(strs)] = floats[rng.IntN(len(floats))]
				}
			}
			b.Results[j] = r
		}
		check(t, &b)
	}
	// What only encoding/json may answer: its error, unchanged.
	for _, r := range []Result{
		{Time: times[0], Measurement: "ping", Fields: map[string]float64{"rtt": math.NaN()}},
		{Time: times[0], Measurement: "ping", Fields: map[string]float64{"rtt": math.Inf(1)}},
		{Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), Measurement: "ping"},
		{Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("odd", 30)), Measurement: "ping"},
	} {
		check(t, &Batch{Agent: "a", Results: []Result{r}})
	}
}

func check(t *testing.T, b *Batch) {
	t.Helper()
	want, wantErr := json.Marshal(b)
	got, err := Encode(b)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("Encode error %v, encoding/json's %v", err, wantErr)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Encode wrote\n%s\nencoding/json writes\n%s", got, want)
	}
}

// BenchmarkEncode is the agent's per-batch encoding: 500 ping results (the
// default publish.batch_max).
func BenchmarkEncode(b *testing.B) {
	rs := make([]Result, 500)
	for i := range rs {
		rs[i] = Result{Time: now.Add(-time.Duration(i) * time.Millisecond), Measurement: "ping", Probe: "fanout",
			Tags:   map[string]string{"target": "198.18.0.1", "line": "L-00001-1", "customer": "C-0001", "site": "pop-1"},
			Fields: map[string]float64{"rtt_min_ms": 0.9, "rtt_avg_ms": 1.3, "rtt_max_ms": 2.1, "jitter_ms": 0.3, "sent": 1, "recv": 1, "loss_pct": 0}}
	}
	batch := &Batch{Agent: "cpe-00001", Results: rs}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(batch); err != nil {
			b.Fatal(err)
		}
	}
}
