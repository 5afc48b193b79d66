package fleetsim

import (
	"math"
	"reflect"
	"testing"
	"time"
)

// TestPlanCalibration: at scale 1 over 30 days, 50,000 lines get the
// field's ~510,000 flaps and outages (within 2 %: a few draws land too
// close to another event on their line and are skipped).
func TestPlanCalibration(t *testing.T) {
	if testing.Short() {
		t.Skip("draws half a million events")
	}
	p, err := NewPlan(Config{Lines: 50_000, Duration: 30 * 24 * time.Hour, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	f, o := p.Truth.Counts()
	if got := float64(f + o); math.Abs(got-510_000)/510_000 > 0.02 {
		t.Errorf("%d flaps + %d outages in 30 days over 50,000 lines, want ~510,000", f, o)
	}
	if share := float64(o) / float64(f+o); math.Abs(share-0.1) > 0.01 {
		t.Errorf("outage share %.3f, want 0.1", share)
	}
}

// TestPlanSeeded: the same seed and config give the same plan (so
// `inventory` and `run` agree); another seed another.
func TestPlanSeeded(t *testing.T) {
	c := Config{Lines: 200, RateScale: 5000, GroupedFailures: 2, SilentAgents: 1, SkewedAgents: 1, Seed: 3}
	a, err := NewPlan(c)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewPlan(c)
	if !reflect.DeepEqual(a.Truth, b.Truth) {
		t.Error("same seed, different truth")
	}
	c.Seed = 4
	d, _ := NewPlan(c)
	if reflect.DeepEqual(a.Truth, d.Truth) {
		t.Error("different seeds, same truth")
	}
	if len(a.Truth.Groups) == 0 || len(a.Truth.Silent) != 1 || len(a.Truth.Skewed) != 1 {
		t.Errorf("groups %d silent %d skewed %d", len(a.Truth.Groups), len(a.Truth.Silent), len(a.Truth.Skewed))
	}
}

// TestPlanEventsSeparated: every line's events are at least k rounds long,
// 10 s apart and over before the quiet tail, so each one is countable;
// Down agrees with the truth.
func TestPlanEventsSeparated(t *testing.T) {
	p, err := NewPlan(Config{Lines: 300, Duration: 50 * time.Second, RateScale: 3000, FlapThreshold: 15 * time.Second,
		GroupedFailures: 2, Quiet: 5 * time.Second, Seed: 16})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range p.Lines {
		prev := -100
		evs := p.Truth.Lines[l.ID]
		for _, e := range evs {
			d := e.To - e.From
			if d < 3 || e.From < prev+10 || e.To > 45 {
				t.Fatalf("line %s: event %+v after one ending at %d", l.ID, e, prev)
			}
			if (e.Kind == "flap") != (d < 15) {
				t.Fatalf("line %s: %+v has the wrong kind", l.ID, e)
			}
			if !l.Down(e.From) || !l.Down(e.To-1) || l.Down(e.To) || l.Down(e.From-1) {
				t.Fatalf("line %s: Down disagrees with %+v", l.ID, e)
			}
			prev = e.To
		}
	}
}

func TestPlanBadConfig(t *testing.T) {
	for _, c := range []Config{{Lines: -1}, {RateScale: -1}, {OutageShare: 2}, {Duration: 5 * time.Second}, {FlapThreshold: time.Second}} {
		if _, err := NewPlan(c); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
}
