package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/inventory"
)

func TestTroubleSchedule(t *testing.T) {
	cases := map[time.Duration]string{
		0:                               "[]",
		16 * time.Second:                "[DL-0101 DL-0102 DL-0103 DL-0104]",
		23 * time.Second:                "[]",
		31 * time.Second:                "[DL-0201]",
		41 * time.Second:                "[DL-0301]",
		100 * time.Second:               "[DL-0202]",
		170 * time.Second:               "[]",
		troubleCycle + 31*time.Second:   "[DL-0201]",
		2*troubleCycle + 16*time.Second: "[DL-0101 DL-0102 DL-0103 DL-0104]",
	}
	for at, want := range cases {
		if got := fmt.Sprint(troubleAt(at)); got != want {
			t.Errorf("at %s: %s, want %s", at, got, want)
		}
	}
	// Every scheduled line must be one the demo's agent watches.
	for _, s := range troubleSchedule {
		for _, l := range s.lines {
			if _, ok := demoLines[l]; !ok {
				t.Errorf("schedule names %s, which no demo probe watches", l)
			}
		}
	}
}

// TestDemoInventory keeps the embedded inventory and the demo's probes in step.
func TestDemoInventory(t *testing.T) {
	set, err := inventory.ParseYAML("inventory.yaml", demoInventory)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, l := range set.Lines {
		got[l.CircuitID] = l.CustomerID
	}
	if fmt.Sprint(got) != fmt.Sprint(demoLines) {
		t.Errorf("inventory lines %v, demo probes %v", got, demoLines)
	}
}
