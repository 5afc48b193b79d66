package report

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// chartFloor is the left edge of the availability chart: the lowest of
// the lines' availability and targets, rounded down to a tenth of a
// percent, so 99.9 and 99.99 are told apart and a bad line still fits.
func chartFloor(r *Report) float64 {
	lo := 100.0
	for _, l := range r.Lines {
		lo = min(lo, l.AvailabilityPct, l.TargetPct)
	}
	return max(0, math.Floor(lo*10)/10-0.1)
}

// svgChart draws one bar per line (availability) with its SLA target as a
// tick, red when missed: inline SVG, so the HTML stays self-contained.
func svgChart(r *Report) template.HTML {
	const w, rowH, left, right = 640.0, 22.0, 140.0, 60.0
	floor := chartFloor(r)
	x := func(v float64) float64 { return left + (w-left-right)*(v-floor)/(100-floor) }
	h := rowH*float64(len(r.Lines)) + 30
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" role="img">`, w, h, w, h)
	for i, l := range r.Lines {
		y := float64(i)*rowH + 4
		color := "#2e7d32"
		if !l.Met {
			color = "#c62828"
		}
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" font-size="11" text-anchor="end">%s</text>`, left-6, y+13, template.HTMLEscapeString(l.ID))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="14" fill="%s"/>`, left, y+2, max(1, x(l.AvailabilityPct)-left), color)
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#000" stroke-width="2"/>`, x(l.TargetPct), x(l.TargetPct), y, y+18)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10">%s%%</text>`, w-right+4, y+13, pct(l.AvailabilityPct))
	}
	axis := float64(len(r.Lines))*rowH + 8
	fmt.Fprintf(&b, `<line x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" stroke="#555"/>`, left, w-right, axis, axis)
	fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" font-size="10">%.1f%%</text>`, left, axis+14, floor)
	fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" font-size="10" text-anchor="end">100%%</text>`, w-right, axis+14)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// svgDays draws minutes down (red) and degraded (amber) per day, so a
// reader sees when in the period the trouble was.
func svgDays(r *Report) template.HTML {
	const w, h, left, bottom, top = 640.0, 150.0, 40.0, 24.0, 10.0
	peak := 1.0
	for _, d := range r.Days {
		peak = max(peak, d.DownSeconds/60, d.DegradedSeconds/60)
	}
	n := float64(max(1, len(r.Days)))
	slot := (w - left - 10) / n
	y := func(min float64) float64 { return (h - bottom - top) * min / peak }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" role="img">`, w, h, w, h)
	base := h - bottom
	fmt.Fprintf(&b, `<line x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" stroke="#555"/>`, left, w-10, base, base)
	fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" font-size="10" text-anchor="end">%.0f</text>`, left-4, top+8, peak)
	fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" font-size="10" text-anchor="end">0</text>`, left-4, base)
	every := max(1, int(n)/15) // at most about 15 date labels
	for i, d := range r.Days {
		x := left + slot*float64(i)
		bw := max(1, slot/2-1)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#c62828"><title>%s %s min</title></rect>`,
			x+1, base-y(d.DownSeconds/60), bw, y(d.DownSeconds/60), d.Date, mins(d.DownSeconds))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#f9a825"><title>%s %s min</title></rect>`,
			x+1+bw, base-y(d.DegradedSeconds/60), bw, y(d.DegradedSeconds/60), d.Date, mins(d.DegradedSeconds))
		if i%every == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="9">%s</text>`, x+1, base+12, d.Date[5:])
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
