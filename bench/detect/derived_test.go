package main

import (
	"strings"
	"testing"
	"time"
)

// TestDerivedConfirmProbeIsTheControllers: without flags the confirming
// lines probe as the controller derives a managed agent's line probe
// (remote_config.ping defaults: 200-ms timeout, 3 requests 10 ms apart,
// confirm 200 ms × k), not with a gap of the bench's own choosing.
func TestDerivedConfirmProbeIsTheControllers(t *testing.T) {
	p, err := derivedConfirmProbe()
	if err != nil {
		t.Fatal(err)
	}
	want := confirmProbe{timeout: 200 * time.Millisecond, count: 3, gap: 10 * time.Millisecond,
		every: 200 * time.Millisecond, rounds: 3, watch: time.Minute}
	if p != want {
		t.Fatalf("derived %v, want %v", p, want)
	}
	ln := line{interval: time.Second, slotTO: p.timeout, confirm: true, probe: p}
	if g := ln.packetGap(); g != 10*time.Millisecond {
		t.Fatalf("a confirming line's request gap is %s, want the derived 10ms", g)
	}
}

// TestConfirmProbeOverride: flags replace single fields, and settings the
// controller would refuse are refused here too.
func TestConfirmProbeOverride(t *testing.T) {
	p, _ := derivedConfirmProbe()
	q, err := p.override(100*time.Millisecond, 30*time.Millisecond, 0, 0)
	if err != nil || q.timeout != 100*time.Millisecond || q.gap != 30*time.Millisecond || q.every != p.every || q.rounds != p.rounds {
		t.Fatalf("override gave %v, %v", q, err)
	}
	if _, err := p.override(50*time.Millisecond, 30*time.Millisecond, 0, 0); err == nil || !strings.Contains(err.Error(), "do not fit") {
		t.Fatalf("3 requests 30ms apart in a 50-ms timeout: err %v", err)
	}
}
