package config

import (
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/incident"
)

func TestGroupingSettings(t *testing.T) {
	c, err := Parse("c.yaml", []byte(base+`detector:
  group_window: 20s
  grouping:
    card: {share: 0.3}
    router: {spread: 5s, min_lines: 3}
    pop: {spread_intervals: 3}
`))
	if err != nil {
		t.Fatal(err)
	}
	r := c.Detector.GroupRules()
	if r["card"] != (incident.Rule{Share: 0.3}) || r["router"] != (incident.Rule{Spread: 5 * time.Second, MinLines: 3}) ||
		r["pop"] != (incident.Rule{SpreadIntervals: 3}) || len(r) != 3 {
		t.Fatalf("rules %+v", r)
	}
	c, err = Parse("c.yaml", []byte(base))
	if err != nil || c.Detector.GroupRules() != nil {
		t.Fatalf("defaults: %v %+v", err, c.Detector.GroupRules())
	}
}

// Issue 11, bad input: thresholds that contradict each other are refused
// at start with file, line and field.
func TestGroupingInvalid(t *testing.T) {
	_, err := Parse("bad.yaml", []byte(base+`detector:
  group_window: 10s
  grouping:
    card:
      spread: 15s
      share: 1.5
    port: {share: -0.1, min_lines: -1}
    olt: {spread: 2s, spread_intervals: 2}
    shelf: {share: 0.5}
    router:
      spread: -1s
`))
	for _, w := range []string{
		"bad.yaml:6: detector.grouping.card.spread: 15s is longer than detector.group_window (10s)",
		"bad.yaml:7: detector.grouping.card.share: 1.5 is outside 0–1",
		"bad.yaml:8: detector.grouping.port.share: -0.1 is outside 0–1",
		"bad.yaml:8: detector.grouping.port.min_lines: -1 must not be negative",
		"bad.yaml:9: detector.grouping.olt.spread_intervals: give spread or spread_intervals, not both",
		"bad.yaml:10: detector.grouping.shelf: unknown element kind (want one of pop, router, card, port, olt, olt_port)",
		"bad.yaml:12: detector.grouping.router.spread: -1s must not be negative",
	} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in\n%v", w, err)
		}
	}
	// The default window bounds a spread too.
	_, err = Parse("bad.yaml", []byte(base+"detector: {grouping: {card: {spread: 31s}}}\n"))
	if err == nil || !strings.Contains(err.Error(), "bad.yaml:2: detector.grouping.card.spread: 31s is longer than detector.group_window (30s)") {
		t.Errorf("got %v", err)
	}
}
