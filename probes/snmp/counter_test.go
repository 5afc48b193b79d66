package snmp

import (
	"testing"
	"time"
)

func TestCounterDelta(t *testing.T) {
	for _, tc := range []struct {
		name          string
		prev, cur     counter
		want          uint64
		wrapped, okay bool
	}{
		{"64 forward", counter{100, 64}, counter{350, 64}, 250, false, true},
		{"64 smaller is a reset", counter{1 << 40, 64}, counter{5, 64}, 0, false, false},
		{"32 forward", counter{10, 32}, counter{20, 32}, 10, false, true},
		{"32 wrap", counter{0xffffff00, 32}, counter{0x100, 32}, 0x200, true, true},
		{"32 wrap at the edge", counter{0xffffffff, 32}, counter{0, 32}, 1, true, true},
		{"width changed", counter{10, 32}, counter{20, 64}, 0, false, false},
		{"no previous", counter{}, counter{20, 64}, 0, false, false},
		{"unchanged", counter{7, 64}, counter{7, 64}, 0, false, true},
	} {
		d, w, ok := counterDelta(tc.prev, tc.cur)
		if d != tc.want || w != tc.wrapped || ok != tc.okay {
			t.Errorf("%s: got (%d, %v, %v), want (%d, %v, %v)", tc.name, d, w, ok, tc.want, tc.wrapped, tc.okay)
		}
	}
}

func TestOctetRate(t *testing.T) {
	// 1,250,000 bytes in 10 s = 1 Mb/s.
	if bps, ok := octetRate(counter{0, 64}, counter{1250000, 64}, 10, 100); !ok || bps != 1e6 {
		t.Fatalf("plain: %v %v", bps, ok)
	}
	// A wrap worth 80 Mb/s on a 100 Mb/s port is plausible.
	prev := counter{0xffffffff - 50e6, 32}
	if bps, ok := octetRate(prev, counter{50e6, 32}, 10, 100); !ok || bps < 79e6 || bps > 81e6 {
		t.Fatalf("plausible wrap: %v %v", bps, ok)
	}
	// A "wrap" that would mean 3 Gb/s on a 100 Mb/s port is a counter reset.
	if bps, ok := octetRate(counter{500, 32}, counter{100, 32}, 10, 100); ok {
		t.Fatalf("implausible wrap accepted: %v", bps)
	}
	// Without a known speed the wrap is taken.
	if _, ok := octetRate(counter{500, 32}, counter{100, 32}, 10, 0); !ok {
		t.Fatal("wrap without speed refused")
	}
	if _, ok := octetRate(counter{0, 64}, counter{1, 64}, 0, 0); ok {
		t.Fatal("zero interval accepted")
	}
}

func TestErrorDeltaNeverWraps(t *testing.T) {
	if d, ok := errorDelta(counter{3, 32}, counter{10, 32}); !ok || d != 7 {
		t.Fatalf("got %d %v", d, ok)
	}
	if _, ok := errorDelta(counter{0xfffffff0, 32}, counter{2, 32}); ok {
		t.Fatal("error counter read as wrapped")
	}
}

func TestRebooted(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	const day = 24 * 60 * 60 * 100 // ticks
	for _, tc := range []struct {
		name       string
		prevUptime uint32
		gap        time.Duration
		uptime     uint32
		want       bool
	}{
		{"steady", 100000, 30 * time.Second, 103000, false},
		{"a little slow", 100000, 30 * time.Second, 102500, false},
		{"uptime ahead of the wall clock", 100000, 30 * time.Second, 109000, false},
		{"restarted", 100000, 30 * time.Second, 1200, true},
		{"restarted young", 2000, 30 * time.Second, 500, true},
		{"32-bit wrap after 497 days", 0xffffff00, 30 * time.Second, 3000 - 0x100, false},
		{"restart hidden in a long gap", 10 * day, 2 * 24 * time.Hour, 1 * day, true},
		{"long gap, still up", 10 * day, 2 * 24 * time.Hour, 12 * day, false},
	} {
		got := rebooted(tc.prevUptime, t0, tc.uptime, t0.Add(tc.gap))
		if got != tc.want {
			t.Errorf("%s: rebooted = %v, want %v", tc.name, got, tc.want)
		}
	}
}
