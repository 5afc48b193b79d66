package ping

import (
	"testing"
	"time"
)

// A kernel stamp is placed by how long ago it was by the wall clock, not
// by the wall clock at the engine's start: a CPE that booted in 1970 and
// was set by NTP after the engine started must not judge every reply 56
// years late.
func TestKernelStampAfterWallClockStep(t *testing.T) {
	// Five seconds into the engine's life (monotonic), the wall clock
	// reads 2026; the engine started when it read 1970.
	wall := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	got := stampOffset(5*time.Second, wall, wall.Add(-time.Millisecond))
	if want := 5*time.Second - time.Millisecond; got != want {
		t.Fatalf("stamp 1 ms before now: offset %v, want %v", got, want)
	}
}
