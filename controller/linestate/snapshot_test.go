package linestate

import (
	"reflect"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/clock"
)

// Stopping mid-stream, snapshotting, and carrying on in a new detector
// restored from the snapshot gives the same final output as one run.
func TestSnapshotRestoreMidStream(t *testing.T) {
	as := shuffled(mixedStream(), 7, 10*time.Minute, 4)
	base := runAll(t, Options{}, as)

	for _, cut := range []int{len(as) / 3, len(as) / 2, len(as) * 9 / 10} {
		d1, _ := New(Options{})
		clk := clock.NewFake(t0.Add(-time.Minute))
		var r runResult
		feed(t, d1, clk, as[:cut], &r)
		snap, err := d1.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		d2, _ := New(Options{})
		if err := d2.Restore(snap); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(d1.Stats(), d2.Stats()) {
			t.Fatalf("stats differ after restore: %+v vs %+v", d1.Stats(), d2.Stats())
		}
		feed(t, d2, clk, as[cut:], &r)
		finish(d2, clk, &r, 2*time.Hour)
		if got, want := sortedEvents(r.events), sortedEvents(base.events); !reflect.DeepEqual(got, want) {
			t.Fatalf("cut %d: events differ\n got %s\nwant %s", cut, describe(got), describe(want))
		}
		if got, want := sortedTransitions(r.final), sortedTransitions(base.final); !reflect.DeepEqual(got, want) {
			t.Fatalf("cut %d: final transitions differ", cut)
		}
	}
}

func TestRestoreRefusesForeignData(t *testing.T) {
	d, _ := New(Options{})
	for _, data := range [][]byte{nil, []byte("hello"), append([]byte(snapshotMagic), 99)} {
		if err := d.Restore(data); err == nil {
			t.Errorf("Restore(%q) accepted", data)
		}
	}
}

// A restored detector keeps each source's clock: without a controller
// clock (a replay), a line seals by its sources' newest evidence, also on
// a line the source has just started to watch.
func TestRestoreKeepsSourceClocks(t *testing.T) {
	o := Options{Horizon: time.Minute}
	d1, _ := New(o)
	for _, ev := range pingStream("L1", "a", 0, 600, 1, nil) {
		d1.Add(ev)
	}
	snap, err := d1.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	d2, _ := New(o)
	if err := d2.Restore(snap); err != nil {
		t.Fatal(err)
	}
	for name, d := range map[string]*Detector{"original": d1, "restored": d2} {
		// a's newest evidence is at 599 s, so L2 seals at 539 s at once.
		if _, v := d.Add(Evidence{Line: "L2", Source: "a", Probe: "ping/x", Time: at(590), Kind: ProbeOK}); v != Accepted {
			t.Fatalf("%s: %s", name, v)
		}
		if _, v := d.Add(Evidence{Line: "L2", Source: "a", Probe: "ping/x", Time: at(535), Kind: ProbeOK}); v != TooLate {
			t.Fatalf("%s: evidence 64 s behind its source's newest: %s, want too_late", name, v)
		}
	}
}
