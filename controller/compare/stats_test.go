package compare

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/cellsamples"
	"github.com/vantage-net/vantage/controller/store/sqldb"
	"github.com/vantage-net/vantage/controller/store/storetest"
	"github.com/vantage-net/vantage/probes/result"
)

// TestMain gives the package one PostgreSQL cluster when
// VANTAGE_TEST_DB=postgres (storetest).
func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func draws(rng *rand.Rand, n int, center, spread float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = center + rng.NormFloat64()*spread
	}
	return out
}

// Ours 30 ms slower than theirs: behind, the interval around −30's
// opposite (ours − theirs ≈ +30) and excluding 0; equal networks: level;
// too few samples: insufficient; a higher-is-better test flips the side.
func TestVersusVerdicts(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	p := Params{MinSamples: 20, Resamples: 2000, Confidence: 0.95, Margin: 5}
	rtt := Tests["ping_rtt_ms"]
	slow, fast := draws(rng, 60, 80, 8), draws(rng, 60, 50, 8)
	d := Versus(rtt, p, slow, fast, "rival", rand.New(rand.NewPCG(1, 1)))
	if d.Verdict != Behind || d.Difference < 25 || d.Difference > 35 || !(d.Low > 0 && d.Low < d.Difference && d.Difference < d.High) {
		t.Fatalf("slower ours: %+v", d)
	}
	if again := Versus(rtt, p, slow, fast, "rival", rand.New(rand.NewPCG(1, 1))); again != d {
		t.Fatalf("same seed, different answer: %+v vs %+v", again, d)
	}
	if d := Versus(rtt, p, fast, slow, "rival", rand.New(rand.NewPCG(1, 1))); d.Verdict != Ahead {
		t.Fatalf("faster ours: %+v", d)
	}
	same := Versus(rtt, p, draws(rng, 60, 50, 8), draws(rng, 60, 50, 8), "rival", rand.New(rand.NewPCG(1, 1)))
	if same.Verdict != Level {
		t.Fatalf("equal networks: %+v", same)
	}
	if d := Versus(rtt, p, slow[:19], fast, "rival", rand.New(rand.NewPCG(1, 1))); d.Verdict != Insufficient {
		t.Fatalf("19 samples: %+v", d)
	}
	// A real but tiny difference (1 ms, tight spread) is level: below the margin.
	if d := Versus(rtt, p, draws(rng, 200, 51, 0.5), draws(rng, 200, 50, 0.5), "rival", rand.New(rand.NewPCG(1, 1))); d.Verdict != Level || d.Low <= 0 {
		t.Fatalf("1 ms apart: %+v", d)
	}
	tput := Tests["throughput_kbps"]
	if d := Versus(tput, p, draws(rng, 40, 8000, 500), draws(rng, 40, 20000, 500), "rival", rand.New(rand.NewPCG(1, 1))); d.Verdict != Behind || d.Difference > -10000 {
		t.Fatalf("less throughput: %+v", d)
	}
	loss := Tests["ping_loss_pct"]
	var lossy, clean []float64
	for i := range 50 {
		lossy = append(lossy, float64([]int{0, 20, 20, 40, 20}[i%5]))
		clean = append(clean, 0)
	}
	if d := Versus(loss, p, lossy, clean, "rival", rand.New(rand.NewPCG(1, 1))); d.Verdict != Behind || d.Difference != 20 {
		t.Fatalf("lossy ours (mean 20%%): %+v", d)
	}
	if Overall([]Diff{{Verdict: Ahead}, {Verdict: Behind}}) != Behind || Overall([]Diff{{Verdict: Ahead}, {Verdict: Ahead}}) != Ahead ||
		Overall([]Diff{{Verdict: Ahead}, {Verdict: Level}}) != Level || Overall([]Diff{{Verdict: Insufficient}}) != Insufficient {
		t.Fatal("Overall")
	}
}

// The compare route through the stored samples: bad input names its
// field; a cell where ours is behind says so with the interval.
func TestCompareHandler(t *testing.T) {
	db, err := sqldb.Open(context.Background(), storetest.Target(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO sites (id, kind, name, grid_cell) VALUES ('hs-1', 'hotspot', 'mall', 'wx4g0bm')`); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	sink, err := cellsamples.New(cellsamples.Options{DB: db}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	var batch []result.Result
	for i := range 40 {
		ts := t0.Add(time.Duration(i) * time.Second)
		for net, rtt := range map[string]float64{"ours": 60, "rival": 20} {
			batch = append(batch, result.Result{Time: ts, Measurement: "ping",
				Tags:   map[string]string{"site": "hs-1", "target": "198.18.10.1", "network": net},
				Fields: map[string]float64{"rtt_avg_ms": rtt + rng.NormFloat64()*3, "sent": 5, "recv": 5, "loss_pct": 0}})
		}
		// Unbound pings are no comparison samples.
		batch = append(batch, result.Result{Time: ts, Measurement: "ping", Tags: map[string]string{"site": "hs-1", "target": "198.18.10.1"},
			Fields: map[string]float64{"rtt_avg_ms": 1, "sent": 5, "recv": 5, "loss_pct": 0}})
	}
	if err := sink.Handle(context.Background(), "hs-agent", batch); err != nil {
		t.Fatal(err)
	}
	c, err := New(Options{DB: db, Ours: "ours", MinSamples: 20, Resamples: 1000, Confidence: 0.95, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	h := Handler(c, func() time.Time { return t0.Add(time.Hour) })
	get := func(q string) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/compare?"+q, nil))
		return rec.Code, rec.Body.String()
	}
	for q, want := range map[string]string{
		"test=ping_rtt_ms":                   `"field":"cell"`,
		"cell=WX4G&test=ping_rtt_ms":         `"field":"cell"`,
		"cell=wx4g0bm&test=jitter":           `"field":"test"`,
		"cell=wx4g0bm&test=ping_rtt_ms&to=x": `"field":"to"`,
		"cell=wx4g0bm&test=ping_rtt_ms&from=2026-11-21T00:00:00Z&to=2026-11-20T00:00:00Z": `"from must be before to"`,
	} {
		if code, body := get(q); code != http.StatusBadRequest || !strings.Contains(body, want) {
			t.Errorf("%s: %d %s, want 400 with %s", q, code, body, want)
		}
	}
	code, body := get("cell=wx4g0bm&test=ping_rtt_ms")
	if code != http.StatusOK || !strings.Contains(body, `"verdict":"behind"`) || !strings.Contains(body, `"competitor":"rival"`) ||
		!strings.Contains(body, `"n":40`) || !strings.Contains(body, `"statistic":"median"`) {
		t.Fatalf("%d %s", code, body)
	}
}

// The selection median equals the sorted one, odd and even, with ties.
func TestMedianBySelection(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	med := Tests["ping_rtt_ms"]
	for n := 1; n < 60; n++ {
		for range 20 {
			vs := make([]float64, n)
			for i := range vs {
				vs[i] = float64(rng.IntN(7)) // many ties
			}
			if got, want := stat(med, vs, nil), Summarize("x", vs).Median; got != want {
				t.Fatalf("n=%d %v: selection %g, sorted %g", n, vs, got, want)
			}
		}
	}
}

// BenchmarkVersus3000 is one comparison of a day of 30-s rounds per
// network (2,880 samples each) with the default 2,000 resamples.
func BenchmarkVersus3000(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	a, c := draws(rng, 2880, 50, 8), draws(rng, 2880, 55, 8)
	p := Params{MinSamples: 20, Resamples: 2000, Confidence: 0.95, Margin: 5}
	for b.Loop() {
		Versus(Tests["ping_rtt_ms"], p, a, c, "rival", rand.New(rand.NewPCG(1, 1)))
	}
}
