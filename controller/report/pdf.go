package report

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/go-pdf/fpdf"
)

// DefaultFont is the CJK font PDFs embed: WenQuanYi Micro Hei (Debian
// fonts-wqy-microhei, Apache License 2.0 or GPL v3), the first font of its
// collection. It has TrueType (glyf) outlines, which fpdf can subset, and
// Latin and CJK glyphs alike in one face. Noto Sans CJK (fonts-noto-cjk)
// has CFF outlines, which fpdf cannot embed; Droid Sans Fallback has no
// Latin glyphs (digits would print as boxes).
const DefaultFont = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

// Fonts is the TrueType font a PDF embeds (subset to the glyphs used).
type Fonts struct {
	// Path of a .ttf, or a .ttc (its first font), with Latin and CJK
	// glyphs; default DefaultFont.
	Path string
	data []byte
}

// Load reads the font file once.
func (f *Fonts) Load() error {
	if f.data != nil {
		return nil
	}
	if f.Path == "" {
		f.Path = DefaultFont
	}
	b, err := os.ReadFile(f.Path)
	if err != nil {
		return fmt.Errorf("report: pdf font (report.font; Debian fonts-wqy-microhei): %w", err)
	}
	if f.data, err = fromCollection(b, 0); err != nil {
		return fmt.Errorf("report: pdf font %s: %w", f.Path, err)
	}
	return nil
}

// PDF writes the report as an A4 PDF with the font embedded: the same
// sections as the HTML, the chart drawn as vector bars.
func PDF(w io.Writer, r *Report, loc *time.Location, fonts Fonts) error {
	if err := fonts.Load(); err != nil {
		return err
	}
	p := fpdf.New("P", "mm", "A4", "")
	p.SetMargins(12, 12, 12)
	p.SetAutoPageBreak(true, 12)
	p.AddUTF8FontFromBytes("cjk", "", fonts.data)
	p.SetTitle(t(r.Language, "title")+" "+r.Customer.Name, true)
	p.AddPage()
	L := func(k string) string { return t(r.Language, k) }
	p.SetFont("cjk", "", 16)
	p.CellFormat(0, 9, L("title"), "", 1, "L", false, 0, "")
	p.SetFont("cjk", "", 9)
	for _, kv := range [][2]string{
		{L("customer"), r.Customer.Name + " (" + r.Customer.ID + ")  " + L("tier") + ": " + r.Customer.Tier},
		{L("period"), clock(r.From, loc) + " – " + clock(r.To, loc) + "  (" + r.Zone + ")"},
		{L("manager"), r.Customer.AccountManager + "   " + L("generated") + ": " + clock(r.Made, loc)},
	} {
		p.CellFormat(30, 5, kv[0], "", 0, "L", false, 0, "")
		p.CellFormat(0, 5, kv[1], "", 1, "L", false, 0, "")
	}
	s := r.Summary
	heading(p, L("summary"))
	table(p, []float64{22, 18, 14, 18, 18, 12, 18, 16, 16, 14, 20},
		[]string{L("avail"), L("lines_missed"), L("outages"), L("outage_min"), L("longest_min"), L("flaps"), L("flapping"),
			L("degradations"), L("mttr_min"), L("incidents"), L("complaints")},
		[][]string{{pct(s.AvailabilityPct) + "%", strconv.Itoa(s.LinesMissed) + "/" + strconv.Itoa(s.Lines), strconv.Itoa(s.Outages),
			mins(s.OutageSeconds), mins(s.LongestSeconds), strconv.Itoa(s.Flaps), strconv.Itoa(s.FlappingPeriods),
			strconv.Itoa(s.Degradations), mins(s.MTTRSeconds), strconv.Itoa(s.Incidents), strconv.Itoa(s.Complaints)}})
	heading(p, L("chart"))
	pdfChart(p, r)
	heading(p, L("daily"))
	pdfDays(p, r)
	heading(p, L("lines"))
	var rows [][]string
	for _, l := range r.Lines {
		sla, short := L("met"), ""
		if !l.Met {
			sla, short = L("missed"), pct(l.ShortfallPct)+"%"
		}
		id := l.ID
		if l.Provisional > 0 {
			id += " *" // counts provisional events, as the HTML marks them
		}
		rows = append(rows, []string{id, pct(l.TargetPct) + "%", pct(l.AvailabilityPct) + "%", sla, short, strconv.Itoa(l.Outages),
			mins(l.OutageSeconds), mins(l.LongestSeconds), strconv.Itoa(l.Flaps), strconv.Itoa(l.FlappingPeriods),
			strconv.Itoa(l.Degradations), mins(l.MTTRSeconds)})
	}
	table(p, []float64{26, 18, 20, 13, 16, 12, 16, 16, 12, 14, 12, 11},
		[]string{L("line"), L("target"), L("avail"), "SLA", L("shortfall"), L("outages"), L("outage_min"), L("longest_min"),
			L("flaps"), L("flapping"), L("degradations"), L("mttr_min")}, rows)
	heading(p, L("incidents"))
	rows = nil
	for _, in := range r.Incidents {
		tl := ""
		for _, e := range in.Timeline {
			tl += clock(e.Time, loc)[11:] + " " + e.Line + " " + e.What + "\n"
		}
		end := L("ongoing")
		if !in.End.IsZero() {
			end = clock(in.End, loc)
		}
		cause := in.Cause
		if in.Root != "" {
			cause += " (" + in.Root + ")"
		}
		rows = append(rows, []string{strconv.FormatInt(in.ID, 10), in.Kind, clock(in.Start, loc), end, mins(in.Seconds), cause, tl})
	}
	table(p, []float64{10, 16, 30, 30, 14, 30, 56}, []string{"#", L("kind"), L("start"), L("end"), L("minutes"), L("cause"), L("timeline")}, rows)
	heading(p, L("complaints"))
	rows = nil
	for _, c := range r.Complaints {
		rep := ""
		if c.Repeat {
			rep = "✔"
		}
		rows = append(rows, []string{c.ID, clock(c.Received, loc), c.Category, c.Verdict, rep})
	}
	table(p, []float64{36, 36, 36, 36, 42}, []string{"ID", L("received"), L("category"), L("verdict"), L("repeat")}, rows)
	if n := r.Notifications; n != nil {
		heading(p, L("notifications"))
		table(p, []float64{46, 46, 46, 48}, []string{L("sent"), L("impacts"), L("told_first"), L("proactive")},
			[][]string{{strconv.Itoa(n.Sent), strconv.Itoa(n.Impacts), strconv.Itoa(n.ToldFirst), pct(100*n.ProactiveRatio) + "%"}})
	}
	heading(p, L("tree"))
	rows = nil
	for _, in := range r.Tree {
		rows = append(rows, []string{in.Layer, in.Name, strconv.FormatFloat(in.Value, 'f', 2, 64) + " " + in.Unit, in.Define})
	}
	table(p, []float64{12, 40, 24, 110}, []string{L("layer"), L("indicator"), L("value"), L("definition")}, rows)
	if err := p.Error(); err != nil {
		return fmt.Errorf("report: pdf: %w", err)
	}
	if err := p.Output(w); err != nil {
		return fmt.Errorf("report: pdf: %w", err)
	}
	return nil
}

func heading(p *fpdf.Fpdf, s string) {
	p.Ln(2)
	p.SetFont("cjk", "", 12)
	p.CellFormat(0, 7, s, "B", 1, "L", false, 0, "")
	p.SetFont("cjk", "", 8)
	p.Ln(1)
}

// table draws a header row and rows, each row as tall as its tallest
// wrapped cell, starting a page when it would not fit.
func table(p *fpdf.Fpdf, widths []float64, head []string, rows [][]string) {
	if len(rows) == 0 {
		p.CellFormat(0, 5, "—", "", 1, "L", false, 0, "")
		return
	}
	row := func(cells []string, fill bool) {
		lines := 1
		for i, c := range cells {
			lines = max(lines, len(p.SplitText(c, widths[i]-1)))
		}
		h := 4.2 * float64(lines)
		_, pageH := p.GetPageSize()
		if p.GetY()+h > pageH-12 {
			p.AddPage()
		}
		x, y := p.GetXY()
		for i, c := range cells {
			p.SetXY(x, y)
			p.Rect(x, y, widths[i], h, map[bool]string{true: "FD", false: "D"}[fill])
			p.MultiCell(widths[i], 4.2, c, "", "L", false)
			x += widths[i]
		}
		p.SetY(y + h) // SetY also returns x to the left margin
	}
	p.SetFillColor(235, 235, 235)
	row(head, true)
	for _, r := range rows {
		row(r, false)
	}
}

// pdfChart draws the availability bars like the HTML's SVG.
func pdfChart(p *fpdf.Fpdf, r *Report) {
	const left, width, rowH = 40.0, 120.0, 6.0
	floor := chartFloor(r)
	x0, y := p.GetXY()
	x := func(v float64) float64 { return x0 + left + width*(v-floor)/(100-floor) }
	for _, l := range r.Lines {
		_, pageH := p.GetPageSize()
		if y+rowH > pageH-14 {
			p.AddPage()
			y = p.GetY()
		}
		p.SetXY(x0, y)
		p.CellFormat(left-2, rowH-1, l.ID, "", 0, "R", false, 0, "")
		if l.Met {
			p.SetFillColor(46, 125, 50)
		} else {
			p.SetFillColor(198, 40, 40)
		}
		p.Rect(x0+left, y+0.5, max(0.3, x(l.AvailabilityPct)-x0-left), rowH-2, "F")
		p.SetLineWidth(0.6)
		p.Line(x(l.TargetPct), y, x(l.TargetPct), y+rowH-0.5)
		p.SetLineWidth(0.2)
		p.SetXY(x0+left+width+2, y)
		p.CellFormat(30, rowH-1, pct(l.AvailabilityPct)+"%", "", 0, "L", false, 0, "")
		y += rowH
	}
	p.SetXY(x0+left, y)
	p.CellFormat(width/2, 4, strconv.FormatFloat(floor, 'f', 1, 64)+"%", "", 0, "L", false, 0, "")
	p.CellFormat(width/2, 4, "100%", "", 1, "R", false, 0, "")
}

// pdfDays draws the per-day bars like the HTML's SVG.
func pdfDays(p *fpdf.Fpdf, r *Report) {
	const left, width, height = 14.0, 170.0, 30.0
	_, pageH := p.GetPageSize()
	if p.GetY()+height+8 > pageH-12 {
		p.AddPage()
	}
	x0, y0 := p.GetXY()
	peak := 1.0
	for _, d := range r.Days {
		peak = max(peak, d.DownSeconds/60, d.DegradedSeconds/60)
	}
	base := y0 + height
	slot := width / float64(max(1, len(r.Days)))
	p.Line(x0+left, base, x0+left+width, base)
	p.SetXY(x0, y0)
	p.CellFormat(left-1, 4, strconv.FormatFloat(peak, 'f', 0, 64), "", 0, "R", false, 0, "")
	p.SetXY(x0, base-4)
	p.CellFormat(left-1, 4, "0", "", 0, "R", false, 0, "")
	every := max(1, len(r.Days)/15)
	for i, d := range r.Days {
		x := x0 + left + slot*float64(i)
		bw := max(0.3, slot/2-0.3)
		for j, v := range []float64{d.DownSeconds / 60, d.DegradedSeconds / 60} {
			if v <= 0 {
				continue
			}
			if j == 0 {
				p.SetFillColor(198, 40, 40)
			} else {
				p.SetFillColor(249, 168, 37)
			}
			hh := height * v / peak
			p.Rect(x+0.3+float64(j)*bw, base-hh, bw, hh, "F")
		}
		if i%every == 0 {
			p.SetXY(x, base+0.5)
			p.CellFormat(slot*float64(every), 4, d.Date[5:], "", 0, "L", false, 0, "")
		}
	}
	p.SetXY(x0, base+5)
}
