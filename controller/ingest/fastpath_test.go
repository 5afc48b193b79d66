package ingest

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/probes/result"
)

const fastAgent = "cpe-00001"

var fastWin = result.Window{Now: t0.Add(time.Hour), MaxFuture: 5 * time.Minute, MaxAge: 7 * 24 * time.Hour}

// reference is what the single pass must agree with: the strict decoder,
// Validate result by result as check does, and the line-protocol encoder.
// ok is false when that path would refuse or drop anything.
func reference(data []byte, agent string, w result.Window) (b *result.Batch, lp []byte, ok bool) {
	b, err := result.Decode(data)
	if err != nil || b.Agent != agent || len(b.Results) == 0 {
		return nil, nil, false
	}
	var ib influx.Batch
	for i := range b.Results {
		one := result.Batch{Agent: agent, Results: b.Results[i : i+1]}
		if one.Validate(w) != nil || ib.Add(agent, &b.Results[i]) != nil {
			return nil, nil, false
		}
	}
	for i := range ib.Len() {
		lp = append(append(lp, ib.Line(i)...), '\n')
	}
	return b, lp, true
}

// agreeFast runs the single pass on data in an arena that already held a
// message (so reused maps and offsets are exercised) and, if it took the
// message, checks the reference path takes it too with the same Results
// and byte-identical line protocol. It reports whether the fast path took it.
func agreeFast(t *testing.T, data []byte) bool {
	t.Helper()
	var a arena
	prior := pings(fastAgent, 3, t0)
	prior.Results[0].Tags["network"] = "lte"
	pd, _ := result.Encode(prior)
	if _, _, _, ok := fast(&a, &interner{}, pd, fastAgent, newFastWindow(fastWin)); !ok {
		t.Fatalf("fast path refused a plain ping batch %s", pd)
	}
	a.reset()
	_, _, _, _ = fast(&a, &interner{}, pd, fastAgent, newFastWindow(fastWin)) // a second message before data
	got, lo, hi, ok := fast(&a, &interner{}, data, fastAgent, newFastWindow(fastWin))
	if !ok {
		if len(a.lp) != lo && lo != 0 {
			t.Fatalf("refusing fast path left %d bytes of line protocol", len(a.lp)-lo)
		}
		return false
	}
	want, wantLP, wantOK := reference(data, fastAgent, fastWin)
	if !wantOK {
		t.Fatalf("fast path took %s, which the reference path refuses", data)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("fast path on %s:\n%#v\nreference:\n%#v", data, got, want)
	}
	if lp := a.lp[lo:hi]; !bytes.Equal(lp, wantLP) {
		t.Fatalf("fast path on %s wrote\n%s\nreference:\n%s", data, lp, wantLP)
	}
	return true
}

// genBatch makes a random batch of agents' measurements, mostly valid,
// with values of every magnitude and tag values that need escaping, so
// both the fast path and its refusals are exercised.
func genBatch(rng *rand.Rand) *result.Batch {
	b := &result.Batch{Agent: fastAgent}
	if rng.IntN(50) == 0 {
		b.Agent = "cpe-00002"
	}
	names := []string{"ping", "dial", "http", "snmp_if", "snmp", "snmp_event"}
	if rng.IntN(30) == 0 {
		names = append(names, "line_state", "agent")
	}
	texts := []string{"L-00001-1", "C-0001", "198.18.0.1", "a b", "x,y", "k=v", "", "tls", "ünï", "tab\there", "back\\", "q\"", strings.Repeat("z", 257)}
	for range 1 + rng.IntN(6) {
		m := names[rng.IntN(len(names))]
		s := result.Schemas[m]
		r := result.Result{Measurement: m, Time: t0.Add(time.Duration(rng.Int64N(int64(2 * time.Hour)))), Tags: map[string]string{}, Fields: map[string]float64{}}
		switch rng.IntN(20) {
		case 0:
			r.Time = r.Time.In(time.FixedZone("x", 3600))
		case 1:
			r.Time = t0.Add(-30 * 24 * time.Hour)
		case 2:
			r.Time = time.Time{}
		case 3:
			r.Time = r.Time.Truncate(time.Second)
		}
		if rng.IntN(2) == 0 {
			r.Probe = []string{"pop", "tls", "p q"}[rng.IntN(3)]
		}
		for _, k := range s.Tags {
			if rng.IntN(3) > 0 {
				v := texts[rng.IntN(3)]
				if rng.IntN(8) == 0 {
					v = texts[rng.IntN(len(texts))]
				}
				r.Tags[k] = v
			}
		}
		for _, k := range s.Required {
			if rng.IntN(30) > 0 && r.Tags[k] == "" {
				r.Tags[k] = texts[rng.IntN(3)]
			}
		}
		if rng.IntN(20) == 0 {
			r.Tags["bogus"] = "1"
		}
		if len(r.Tags) == 0 && rng.IntN(2) == 0 {
			r.Tags = nil
		}
		for k, kind := range s.Fields {
			if rng.IntN(3) == 0 {
				continue
			}
			rg, ok := s.Ranges[k]
			if !ok {
				rg = result.Range{Min: 0, Max: 100}
			}
			r.Fields[k] = genValue(rng, kind, rg)
		}
		switch rng.IntN(10) {
		case 0:
			r.Error = []string{"timeout", "refused", "", "bad\"class", strings.Repeat("e", 65)}[rng.IntN(5)]
		case 1:
			r.Detail = "no reply within 1s"
		case 2:
			r.Fields = nil
			r.Error = "timeout"
		}
		if rng.IntN(40) == 0 {
			r.Text = map[string]string{"version": "1.0"}
		}
		b.Results = append(b.Results, r)
	}
	return b
}

func genValue(rng *rand.Rand, kind result.Kind, rg result.Range) float64 {
	switch kind {
	case result.Bool:
		return float64(rng.IntN(2))
	case result.Int:
		lo, hi := math.Max(rg.Min, 0), math.Min(rg.Max, 1e6)
		if rng.IntN(25) == 0 {
			return rg.Max + 1 // out of range
		}
		return math.Floor(lo + rng.Float64()*(hi-lo))
	}
	switch rng.IntN(12) {
	case 0:
		return 0
	case 1:
		return math.Copysign(0, -1)
	case 2:
		return math.Pow(10, float64(rng.IntN(40)-20)) * rng.Float64() // every magnitude
	case 3:
		return float64(rng.IntN(1e7)) // integers, with %e from 1e6
	case 4:
		if rg.Max > 1e300 {
			return rg.Max
		}
		return rg.Max * 2 // out of range
	case 5:
		return -rng.Float64() * 100
	case 6:
		return float64(rng.IntN(100000)) / 1000 // short decimals
	}
	lo, hi := math.Max(rg.Min, -1e6), math.Min(rg.Max, 1e6)
	return lo + rng.Float64()*(hi-lo)
}

// The single pass agrees with the reference path on generated batches,
// and takes the plain ones agents send (a fast path that refused
// everything would agree too).
func TestFastPathAgreesWithReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 16))
	took, valid := 0, 0
	for range 20000 {
		data, err := result.Encode(genBatch(rng))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, ok := reference(data, fastAgent, fastWin); ok {
			valid++
		}
		if agreeFast(t, data) {
			took++
		}
	}
	t.Logf("fast path took %d of %d batches the reference path takes whole", took, valid)
	if took < valid/2 {
		t.Errorf("fast path took only %d of %d valid batches", took, valid)
	}
	_, msgs := fleetMessages(t, 1)
	for _, data := range msgs {
		if !agreeFast(t, data) {
			t.Errorf("fast path refused an agent's plain batch %s", data)
		}
	}
}

// fleetMessages are batches as agents send them (bench/ingest's mix):
// one of 50 results from each of n agents, each watching 5 targets by
// ping, dial and http.
func fleetMessages(t testing.TB, n int) (agents []string, msgs [][]byte) {
	for a := range n {
		agent := fmt.Sprintf("cpe-%05d", a+1)
		b := &result.Batch{Agent: agent}
		for j := range 50 {
			tm := t0.Add(time.Duration(a*50+j) * time.Millisecond)
			ti := j % 5
			target := fmt.Sprintf("198.18.%d.%d", (a*5+ti)/250, (a*5+ti)%250+1)
			tags := map[string]string{"line": fmt.Sprintf("L-%05d-%d", a, ti), "customer": fmt.Sprintf("C-%04d", a/5), "target": target}
			var r result.Result
			switch round := j / 5; {
			case round%20 < 3:
				tags["kind"], tags["target"] = "tls", target+":443"
				r = result.Result{Time: tm, Measurement: "dial", Probe: "tls", Tags: tags,
					Fields: map[string]float64{"ok": 1, "dns_ms": 0.4, "connect_ms": 1.5 + float64(j%7), "tls_ms": 4.25, "cert_days_left": 90}}
			case round%20 < 6:
				tags["target"] = "http://" + target + "/"
				r = result.Result{Time: tm, Measurement: "http", Probe: "portal", Tags: tags,
					Fields: map[string]float64{"ok": 1, "status": 200, "dns_ms": 0.4, "connect_ms": 1.5, "ttfb_ms": 12.5,
						"total_ms": 20 + float64(j%13), "bytes": 5120, "throughput_kbps": 2048}}
			case j%50 == 7:
				r = result.Result{Time: tm, Measurement: "ping", Probe: "pop", Error: "timeout", Detail: "no reply within 1s",
					Tags: tags, Fields: map[string]float64{"sent": 5, "recv": 0, "loss_pct": 100}}
			default:
				// A jitter as probes/ping computes it: a square root, 16-17 digits.
				r = result.Result{Time: tm, Measurement: "ping", Probe: "pop", Tags: tags,
					Fields: map[string]float64{"rtt_min_ms": 0.9, "rtt_avg_ms": 1.2 + float64(j%10)/10, "rtt_max_ms": 2.1,
						"jitter_ms": math.Sqrt(0.09 + float64(j)/1000), "sent": 5, "recv": 5, "loss_pct": 0}}
			}
			b.Results = append(b.Results, r)
		}
		data, err := result.Encode(b)
		if err != nil {
			t.Fatal(err)
		}
		agents, msgs = append(agents, agent), append(msgs, data)
	}
	return agents, msgs
}

// Hand-written edge cases: each either goes the reference way or agrees.
func TestFastPathEdges(t *testing.T) {
	for _, s := range []string{
		`{"agent":"cpe-00001","results":[{"t":"2026-11-23T08:00:00Z","m":"ping","tags":{"target":"x"},"f":{"sent":1}}]}`,
		`{"agent":"cpe-00001","results":[{"t":"2026-11-23T08:00:00.5Z","m":"ping","tags":{"target":"x"},"f":{"loss_pct":1e1}}]}`,
		`{"agent":"cpe-00001","results":[{"t":"2026-11-23T08:00:00Z","m":"ping","tags":{"target":"x"},"f":{"loss_pct":1.50}}]}`,
		`{"agent":"cpe-00001","results":[{"t":"2026-11-23T08:00:00Z","m":"ping","tags":{"target":"x"},"f":{"loss_pct":-0}}]}`,
		`{"agent":"cpe-00001","results":[{"t":"2026-11-23T08:00:00Z","m":"ping","tags":{"target":"x"},"f":{"sent":-0}}]}`,
		`{"agent":"cpe-00001","results":[{"t":"2026-11-23T08:00:00Z","m":"ping","tags":{"target":"x"},"f":{"sent":5,"recv":6}}]}`,
		`{"agent":"cpe-00001","results":[{"t":"2026-11-23T08:00:00Z","m":"ping","tags":{"target":"x","line":"y"}}]}`,
		`{"agent":"cpe-00001","results":[{"t":"2026-11-23T08:00:00Z","m":"ping","tags":{"target":"x"},"err":"timeout"}]}`,
		`{"agent":"cpe-00001","results":[{"t":"2026-11-23T08:00:00Z","m":"ping","tags":{"target":"x"},"err":""}]}`,
		`{"agent":"cpe-00001","results":[{"t":"2026-02-29T08:00:00Z","m":"ping","tags":{"target":"x"},"err":"t"}]}`,
		`{"agent":"cpe-00001","results":[{"t":"2024-02-29T08:00:00.123456789Z","m":"ping","tags":{"target":"x"},"err":"t"}]}`,
		`{"agent":"cpe-00001","results":[{"t":"2026-11-23T08:00:00Z","m":"ping","tags":{"line":"y","target":"x"},"f":{"sent":5},"f":{"sent":5}}]}`,
		`{"agent":"cpe-00001","results":[{"t":"2026-11-23T08:00:00Z","m":"ping","tags":{"target":"x","target":"y"},"f":{"sent":5}}]}`,
		`{"agent":"cpe-00001","results":[{"t":"2026-11-23T08:00:00Z","m":"snmp","tags":{"device":"d","metric":"m"},"f":{"value":123456.7}}]}`,
		`{"agent":"cpe-00001","results":[{"t":"2026-11-23T08:00:00Z","m":"snmp","tags":{"device":"d","metric":"m"},"f":{"value":1234567}}]}`,
		`{"agent":"cpe-00001","results":[{"t":"2026-11-23T08:00:00Z","m":"snmp","tags":{"device":"d","metric":"m"},"f":{"value":0.0001}}]}`,
		`{"agent":"cpe-00001","results":[{"t":"2026-11-23T08:00:00Z","m":"snmp","tags":{"device":"d","metric":"m"},"f":{"value":0.00001}}]}`,
		`{"agent":"cpe-00001","results":[{"t":"2026-11-23T08:00:00Z","m":"snmp","tags":{"device":"d","metric":"m"},"f":{"value":123456789012345}}]}`,
		`{"agent":"cpe-00001","results":[{"t":"2026-11-23T08:00:00Z","m":"snmp","tags":{"device":"d","metric":"a b,c=d"},"f":{"value":-1.25}}]}`,
	} {
		agreeFast(t, []byte(s))
	}
}

func FuzzFastPathAgrees(f *testing.F) {
	rng := rand.New(rand.NewPCG(2, 16))
	for range 40 {
		data, _ := result.Encode(genBatch(rng))
		f.Add(data)
	}
	_, msgs := fleetMessages(f, 1)
	for _, data := range msgs {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) { agreeFast(t, data) })
}

// BenchmarkPrepare is the ingest's CPU per result from message bytes to
// line protocol and the Sinks' Results, for one pull as bench/ingest
// makes them (100 messages of 50 results from 100 agents, 1,500 series):
// the single pass, and the reference path (decode, Validate, encode) it
// replaces for agents' batches. `make benchstat` compares it across changes.
func BenchmarkPrepare(b *testing.B) {
	agents, msgs := fleetMessages(b, 100)
	n := 50 * len(msgs)
	fw := newFastWindow(fastWin)
	b.Run("single-pass", func(b *testing.B) {
		b.ReportAllocs()
		var a arena
		var strs interner
		var ib influx.Batch
		cpu := cpuNow()
		for b.Loop() {
			a.reset()
			ib.Reset()
			for i, data := range msgs {
				_, lo, hi, ok := fast(&a, &strs, data, agents[i], fw)
				if !ok {
					b.Fatal("refused")
				}
				ib.AddLines(a.lp[lo:hi])
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/result")
		b.ReportMetric(float64(cpuNow()-cpu)/float64(b.N*n), "cpu-ns/result")
	})
	b.Run("reference", func(b *testing.B) {
		b.ReportAllocs()
		var ib influx.Batch
		cpu := cpuNow()
		for b.Loop() {
			ib.Reset()
			for i, data := range msgs {
				bt, err := decode(data)
				if err != nil {
					b.Fatal(err)
				}
				for j := range bt.Results {
					one := result.Batch{Agent: agents[i], Results: bt.Results[j : j+1]}
					if err := one.Validate(fastWin); err != nil {
						b.Fatal(err)
					}
					if err := ib.Add(agents[i], &bt.Results[j]); err != nil {
						b.Fatal(err)
					}
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/result")
		b.ReportMetric(float64(cpuNow()-cpu)/float64(b.N*n), "cpu-ns/result")
	})
}

// cpuNow is this process's CPU time (user and system, all threads, the
// collector's included) in nanoseconds: on a machine shared with other
// work it says what a result costs where wall time (ns/result) says how
// busy the machine was.
func cpuNow() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// copySink keeps, per result it is handed, what line health and the cell
// samples read — copied during the call, as the Sink contract asks now
// that the ingest reuses the results' memory from pull to pull.
type copySink struct {
	mu   sync.Mutex
	seen map[string]int
}

func sinkKey(agent string, r *result.Result) string {
	return fmt.Sprintf("%s %s %s %v %v %s", agent, r.Measurement, r.Time.Format(time.RFC3339Nano), r.Tags, r.Fields, r.Error)
}

func (s *copySink) Handle(_ context.Context, agent string, results []result.Result) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range results {
		s.seen[sinkKey(agent, &results[i])]++
	}
	return nil
}

// Through the real ingest, over many pulls whose memory is reused, with
// messages on the single pass and on the reference path interleaved, the
// Sinks see every valid result once with its own tags and fields, and
// InfluxDB gets every point.
func TestSinksSeeEveryResultAcrossPulls(t *testing.T) {
	sink := &copySink{seen: map[string]int{}}
	h := newHarness(t, Options{FetchBatch: 3}, sink)
	agents, msgs := fleetMessages(t, 30)
	want := map[string]int{}
	for i, data := range msgs {
		b, err := result.Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		switch i % 5 {
		case 1: // not plain: the reference path, still valid
			b.Results[3].Tags["customer"] = "Müller AG"
		case 2: // one result out of range: the reference path drops it
			b.Results[40].Fields["loss_pct"] = 120 // a ping
		}
		for j := range b.Results {
			if i%5 == 2 && j == 40 {
				continue
			}
			want[sinkKey(agents[i], &b.Results[j])]++
		}
		h.publishBatch(b)
	}
	total := len(msgs)*50 - len(msgs)/5
	lab.WaitFor(t, h.ctx, 50*time.Millisecond, func() error {
		sink.mu.Lock()
		defer sink.mu.Unlock()
		if n := len(sink.seen); n < len(want) {
			return fmt.Errorf("sink saw %d distinct results, want %d", n, len(want))
		}
		return nil
	})
	h.waitCount("ping", int64(countMeasurement(want, "ping")))
	h.consumerIdle()
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if !reflect.DeepEqual(sink.seen, want) {
		for k, n := range sink.seen {
			if want[k] != n {
				t.Errorf("sink saw %q %d times, want %d", k, n, want[k])
			}
		}
		for k := range want {
			if sink.seen[k] == 0 {
				t.Errorf("sink never saw %q", k)
			}
		}
	}
	if len(want) != total {
		t.Fatalf("test data: %d distinct results, want %d", len(want), total)
	}
	// Every message was read once, and vantage_controller_ingest_decode_path_total
	// says which way: the plain ones on the single pass, the others by reference.
	wantRef := 0
	for i := range msgs {
		if i%5 == 1 || i%5 == 2 {
			wantRef++
		}
	}
	single, ref := testutil.ToFloat64(h.in.m.singlePass), testutil.ToFloat64(h.in.m.reference)
	if int(single) != len(msgs)-wantRef || int(ref) != wantRef {
		t.Errorf("decode paths: single_pass %v, reference %v; want %d and %d", single, ref, len(msgs)-wantRef, wantRef)
	}
}

func countMeasurement(keys map[string]int, m string) int {
	n := 0
	for k := range keys {
		if strings.Contains(k, " "+m+" ") {
			n++
		}
	}
	return n
}
