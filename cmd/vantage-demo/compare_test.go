package main

import (
	"testing"

	"github.com/vantage-net/vantage/controller/complaints"
)

// The printed compare URL names H-STATION's cell as the inventory computes it.
func TestStationCell(t *testing.T) {
	if got := complaints.Geohash(31.2495, 121.4555, 7); got != stationCell {
		t.Fatalf("H-STATION's cell is %s, the demo prints %s", got, stationCell)
	}
}
