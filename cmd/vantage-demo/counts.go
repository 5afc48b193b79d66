package main

import (
	"context"
	"fmt"
)

// lineCounts is the progress line's line-health part: flaps and outages of
// the last 24 h over every line, as GET /api/v1/lines counts them. They
// include live events (final false), so they rise as soon as a scheduled
// drop ends, though the controller runs with the production 15-min horizon.
func (p progressSources) lineCounts(ctx context.Context) string {
	var body struct {
		Lines []struct {
			Flaps   int `json:"flaps_24h"`
			Outages int `json:"outages_24h"`
		} `json:"lines"`
	}
	if err := getJSON(ctx, p.api+"/api/v1/lines", "Bearer "+p.token, &body); err != nil {
		return " flaps_24h=? outages_24h=?"
	}
	flaps, outages := 0, 0
	for _, l := range body.Lines {
		flaps += l.Flaps
		outages += l.Outages
	}
	return fmt.Sprintf(" flaps_24h=%d outages_24h=%d", flaps, outages)
}
