package ingest

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/probes/result"
)

// agree fails unless decode and result.Decode give the same batch, or
// both an error (decode's then is result.Decode's own).
func agree(t *testing.T, data []byte) {
	t.Helper()
	want, wantErr := result.Decode(data)
	got, err := decode(data)
	if (err != nil) != (wantErr != nil) || err != nil && err.Error() != wantErr.Error() {
		t.Fatalf("decode(%q): error %v, result.Decode: %v", data, err, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decode(%q) =\n%#v\nresult.Decode =\n%#v", data, got, want)
	}
}

func canonicalSamples(t testing.TB) [][]byte {
	odd := []string{"plain", "a&b<c>", "ünï", "quote\"back\\slash", "tab\tnl\n", "\u2028", "bad\xffutf8", ""}
	var out [][]byte
	for i, s := range odd {
		b := result.Batch{Agent: "cpe-1", Results: []result.Result{
			{Time: t0.Add(time.Duration(i) * time.Nanosecond), Measurement: "ping", Probe: s,
				Tags:   map[string]string{"target": "198.18.0.1", "line": s},
				Fields: map[string]float64{"sent": 5, "loss_pct": 0.25, "rtt_avg_ms": 1e-9, "jitter_ms": -3e21}},
			{Time: t0.In(time.FixedZone("x", 3600)), Measurement: "dial", Error: s, Detail: s},
			{Measurement: "http", Tags: map[string]string{}, Fields: map[string]float64{}},
		}}
		data, err := result.Encode(&b)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, data)
	}
	return out
}

// The fast path must read what agents send exactly as encoding/json does,
// and hand everything else to result.Decode, errors included.
func TestDecodeAgreesWithResultDecode(t *testing.T) {
	for _, data := range canonicalSamples(t) {
		agree(t, data)
		p := parser{data: data}
		if _, ok := p.batch(); !ok && !strings.Contains(string(data), `\ufffd`) {
			t.Errorf("fast path refused result.Encode's own output %s", data)
		}
	}
	for _, s := range []string{
		`{"agent":"a","results":[]}`, `{"agent":"a","results":[]} `, `{"agent":"a","results":[]}x`,
		`{"agent":"a","results":null}`, `{"results":[],"agent":"a"}`, `{"Agent":"a","results":[]}`,
		`{"agent":"a","results":[],"agent":"b"}`, `{"agent":"a","results":[{"t":"2026-11-23T08:00:00Z","m":"ping","x":1}]}`,
		`{"agent":"a","results":[{"t":"2026-11-23T08:00:00Z","m":"ping","f":{"sent":01}}]}`,
		`{"agent":"a","results":[{"t":"2026-11-23T08:00:00Z","m":"ping","f":{"sent":1e400}}]}`,
		`{"agent":"a","results":[{"t":"2026-11-23T08:00:00Z","m":"ping","f":{"sent":-0.5E+2,"recv":0}}]}`,
		`{"agent":"a","results":[{"t":"2026-11-23T08:00:00Z","m":"ping","f":{"sent":.5}}]}`,
		`{"agent":"a","results":[{"t":"2026-11-23 08:00:00Z","m":"ping"}]}`,
		`{"agent":"a","results":[{"t":"2026-11-23T08:00:00Z","m":"ping","tags":{"line":"x","line":"y"}}]}`,
		`{"agent":"a","results":[{"t":"2026-11-23T08:00:00Z","m":"ping","tags":null}]}`,
		`{"agent":"a","results":[{"t":"2026-11-23T08:00:00Z","m":"ping","tags":{"line":1}}]}`,
		`{"agent":"a","results":[{"t":"2026-11-23T08:00:00Z","m":"ping"},]}`,
		"{\"agent\":\"a\x01\",\"results\":[]}", `{"agent":"\u0041\ud83d\ude00","results":[]}`, `{"agent":"a`, ``, `null`,
	} {
		agree(t, []byte(s))
	}
}

// The fast path knows Result's and Batch's JSON keys by heart; when the
// wire contract in probes/result changes, this fails until decode.go
// follows.
func TestDecodeKnowsTheWireKeys(t *testing.T) {
	keys := func(v any) []string {
		var ks []string
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			ks = append(ks, rt.Field(i).Tag.Get("json"))
		}
		return ks
	}
	want := []string{"t", "m", "p,omitempty", "tags,omitempty", "f,omitempty", "err,omitempty", "s,omitempty", "detail,omitempty"}
	if got := keys(result.Result{}); !slices.Equal(got, want) {
		t.Errorf("result.Result json keys %q, decode.go reads %q", got, want)
	}
	if got := keys(result.Batch{}); !slices.Equal(got, []string{"agent", "results"}) {
		t.Errorf("result.Batch json keys %q, decode.go reads agent, results", got)
	}
}

func FuzzDecodeAgrees(f *testing.F) {
	for _, data := range canonicalSamples(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) { agree(t, data) })
}

// BenchmarkDecode is the ingest's cost of decoding one message of 50 ping
// results, with its own parser (fast) and with result.Decode; per message
// (ns/op, allocs/op) and per result (ns/result). `make benchstat` compares it
// across changes.
func BenchmarkDecode(b *testing.B) {
	rs := make([]result.Result, 50)
	for i := range rs {
		rs[i] = result.Result{Time: t0.Add(time.Duration(i) * time.Millisecond), Measurement: "ping", Probe: "pop",
			Tags:   map[string]string{"target": "198.18.0.1", "line": "L-00001-1", "customer": "C-0001"},
			Fields: map[string]float64{"rtt_min_ms": 0.9, "rtt_avg_ms": 1.3, "rtt_max_ms": 2.1, "jitter_ms": 0.3, "sent": 5, "recv": 5, "loss_pct": 0}}
	}
	data, _ := result.Encode(&result.Batch{Agent: "cpe-00001", Results: rs})
	for _, c := range []struct {
		name string
		fn   func([]byte) (*result.Batch, error)
	}{{"fast", decode}, {"result.Decode", result.Decode}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.fn(data); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(rs)), "ns/result")
		})
	}
}
