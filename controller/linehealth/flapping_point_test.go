package linehealth

import (
	"strings"
	"testing"
)

// A line that flaps often enough to be dampened gets a line_state point
// with flapping=1 (and up=0), so a dashboard can tell a flapping line from
// a down one; its other transitions carry flapping=0.
func TestLineStatePointMarksFlapping(t *testing.T) {
	f := newFixture(t)
	m := f.monitor(t)
	// Four 2-s drops of L1 a few seconds apart: penalty 1000 each, above
	// suppress (2000) from the third.
	s := 0
	f.feed(t, m, s, s+5, nil, 0, 0)
	for range 4 {
		s += 5
		f.feed(t, m, s, s+8, map[string]bool{"L1": true}, s+2, s+4)
		s += 3
	}
	f.feed(t, m, s+5, s+20, nil, 0, 0)
	f.ship(t)
	f.pts.mu.Lock()
	defer f.pts.mu.Unlock()
	var flapping, other int
	for _, l := range f.pts.lines {
		if !strings.HasPrefix(l, "line_state,customer=C1,line=L1 ") {
			continue
		}
		switch {
		case strings.Contains(l, "flapping=1i") && strings.Contains(l, "up=0i"):
			flapping++
		case strings.Contains(l, "flapping=0i"):
			other++
		default:
			t.Errorf("line_state point without a flapping field or with up=1 while flapping: %s", l)
		}
	}
	if flapping == 0 || other == 0 {
		t.Errorf("%d flapping and %d other line_state points of L1:\n%s", flapping, other, strings.Join(f.pts.lines, "\n"))
	}
}
