package linestate

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

// A snapshot view is the state at the instant it was taken, however the
// detector goes on while it is encoded: in-order evidence appends to the
// shared reorder buffers, out-of-order evidence is inserted in their middle
// (which must shift a copy, not the array the view reads), and sealing
// moves past them (issue 16: the Monitor encodes the view outside its lock).
func TestViewIsTheStateWhenTaken(t *testing.T) {
	d, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	ev := func(line int, s float64, ok bool) Evidence {
		k := ProbeOK
		if !ok {
			k = ProbeFail
		}
		return Evidence{Line: fmt.Sprintf("L%d", line), Source: "cpe", Probe: "ping/pop", Kind: k,
			Time: t0.Add(time.Duration(s * float64(time.Second)))}
	}
	for s := range 30 {
		for l := range 20 {
			d.Add(ev(l, float64(s), s%7 != 3))
		}
	}
	d.Advance(t0.Add(30 * time.Second))
	want, err := d.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	v, err := d.View()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.View(); err == nil {
		t.Error("a second view opened while the first is out")
	}
	for l := range 20 {
		d.Add(ev(l, 30, true))    // appended
		d.Add(ev(l, 12.5, false)) // inserted in the middle of the buffer
		d.Add(ev(l, 0.5, true))   // near its front
		d.Add(Evidence{Line: ev(l, 0, true).Line, Source: "olt", Probe: "snmp/port", Kind: ProbeOK, Time: t0.Add(20 * time.Second)})
	}
	d.Advance(t0.Add(20 * time.Minute)) // seals everything
	got, err := v.Encode()
	if err != nil {
		t.Fatal(err)
	}
	v.Release()
	if !bytes.Equal(got, want) {
		t.Fatal("the view encoded after the detector moved on differs from the state when it was taken")
	}
	// The restored view is that state: it takes the same evidence to the same place.
	r, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Restore(got); err != nil {
		t.Fatal(err)
	}
	if _, err := d.View(); err != nil {
		t.Errorf("no view after Release: %v", err)
	}
}
