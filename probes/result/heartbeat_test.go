package result

import (
	"errors"
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestHeartbeatCheck(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*Heartbeat)
		field  string // "" = accepted
	}{
		{"good", func(*Heartbeat) {}, ""},
		{"no interval (older agents)", func(h *Heartbeat) { h.IntervalS = 0 }, ""},
		{"interval 1 h", func(h *Heartbeat) { h.IntervalS = 3600 }, ""},
		{"interval 1e12 s", func(h *Heartbeat) { h.IntervalS = 1e12 }, "interval_s"},
		{"interval 0.5 s", func(h *Heartbeat) { h.IntervalS = 0.5 }, "interval_s"},
		{"interval negative", func(h *Heartbeat) { h.IntervalS = -10 }, "interval_s"},
		{"interval NaN", func(h *Heartbeat) { h.IntervalS = math.NaN() }, "interval_s"},
		{"uptime negative", func(h *Heartbeat) { h.UptimeS = -1 }, "uptime_s"},
		{"uptime huge", func(h *Heartbeat) { h.UptimeS = 1e300 }, "uptime_s"},
		{"spool depth negative", func(h *Heartbeat) { h.SpoolDepth = -5 }, "spool_depth"},
		{"probes negative", func(h *Heartbeat) { h.Probes = -1 }, "probes"},
		{"results sent beyond 2^53", func(h *Heartbeat) { h.ResultsSent = 1<<53 + 2 }, "results_sent"},
		{"results dropped beyond 2^53", func(h *Heartbeat) { h.ResultsDropped = math.MaxUint64 }, "results_dropped"},
		{"config rev beyond 2^53", func(h *Heartbeat) { h.ConfigRevision = math.MaxUint64 }, "config_rev"},
	}
	for _, c := range cases {
		hb := Heartbeat{Agent: "cpe-1", Version: "1.2.3", IntervalS: 10, UptimeS: 60, SpoolDepth: 3, Probes: 4}
		c.mutate(&hb)
		err := hb.Check()
		if c.field == "" {
			if err != nil {
				t.Errorf("%s: refused: %v", c.name, err)
			}
			continue
		}
		if !errors.Is(err, ErrOutOfRange) || !strings.HasPrefix(err.Error(), c.field+": ") {
			t.Errorf("%s: got %v, want ErrOutOfRange naming %s", c.name, err, c.field)
		}
	}
}

// A 900 KB version with control characters is cut to the limit, one line.
func TestHeartbeatTextCut(t *testing.T) {
	hb := Heartbeat{Agent: "cpe-1", Version: strings.Repeat("9\x1b[2J\n", 150_000), Site: "S1\r\nfake=1"}
	if err := hb.Check(); err != nil {
		t.Fatal(err)
	}
	if len(hb.Version) > MaxVersionBytes+24 || strings.ContainsAny(hb.Version, "\n\x1b") || !strings.HasSuffix(hb.Version, "bytes cut)") {
		t.Errorf("version %d bytes: %q", len(hb.Version), hb.Version)
	}
	if hb.Site != "S1  fake=1" {
		t.Errorf("site %q", hb.Site)
	}
}

func TestCleanText(t *testing.T) {
	cases := []struct {
		in        string
		max       int
		multiline bool
		want      string
	}{
		{"v1.2.3", 256, false, "v1.2.3"},
		{"ünïcode ok", 256, false, "ünïcode ok"},
		{"a\nb\tc\x00d\x7fe", 256, false, "a b c d e"},
		{"line 1\nline 2\r", 256, true, "line 1\nline 2 "},
		{"bad\xffutf8", 256, false, "bad\uFFFDutf8"},
		{"\u2028sep\u0085", 256, false, " sep "},
		{"abcdef", 4, false, "abcd…(2 bytes cut)"},
		{"ééé", 5, false, "éé…(2 bytes cut)"}, // never splits a character
	}
	for _, c := range cases {
		got := CleanText(c.in, c.max, c.multiline)
		if got != c.want || !utf8.ValidString(got) {
			t.Errorf("CleanText(%q, %d, %v) = %q, want %q", c.in, c.max, c.multiline, got, c.want)
		}
	}
}
