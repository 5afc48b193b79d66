package webui

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/vantage-net/vantage/controller/compare"
	"github.com/vantage-net/vantage/controller/coverage"
	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/places"
)

// placesData is the places-to-fix ranking and the coverage cells, drawn
// as a map.
type placesData struct {
	Places []places.Place
	Cells  []coverage.CellView
	Sites  []inventory.SitePosition
	Map    cellMap
}

// cellMap is the grid cells drawn as SVG rectangles in an equirectangular
// projection of their own bounding box: no tiles, nothing fetched, so it
// renders on a network without internet. Each rectangle carries its label
// (rank or score) as text, not only a fill.
type cellMap struct {
	W, H  int
	Rects []cellRect
	// Sites are the inventory's sites at their coordinates (or their grid
	// cell's centre), each labelled with its name and status in text.
	Sites []sitePin
}

type sitePin struct {
	X, Y  float64
	ID    string
	Label string
	// Status is drawn as its icon and word next to the name, so the map
	// does not speak by colour alone.
	Status string
}

// sitePoint is where a site is drawn: its coordinates, else its grid
// cell's centre.
func sitePoint(s inventory.SitePosition) (lat, lon float64, ok bool) {
	if s.Lat != nil && s.Lon != nil {
		return *s.Lat, *s.Lon, true
	}
	a, b, c, d, ok := geohashBox(s.GridCell)
	return (a + b) / 2, (c + d) / 2, ok
}

type cellRect struct {
	X, Y, W, H float64
	Cell       string
	Class      string
	Label      string
}

const mapW, mapH = 720, 420

// geohashBox decodes a geohash to its latitude/longitude box.
func geohashBox(h string) (latMin, latMax, lonMin, lonMax float64, ok bool) {
	const base32 = "0123456789bcdefghjkmnpqrstuvwxyz"
	latMin, latMax, lonMin, lonMax = -90, 90, -180, 180
	even := true
	for _, c := range strings.ToLower(h) {
		v := strings.IndexRune(base32, c)
		if v < 0 {
			return 0, 0, 0, 0, false
		}
		for bit := 4; bit >= 0; bit-- {
			on := v>>bit&1 == 1
			if even {
				mid := (lonMin + lonMax) / 2
				if on {
					lonMin = mid
				} else {
					lonMax = mid
				}
			} else {
				mid := (latMin + latMax) / 2
				if on {
					latMin = mid
				} else {
					latMax = mid
				}
			}
			even = !even
		}
	}
	return latMin, latMax, lonMin, lonMax, h != ""
}

func drawCells(cells []coverage.CellView, ranked []places.Place, sites []inventory.SitePosition) cellMap {
	m := cellMap{W: mapW, H: mapH}
	type box struct{ la0, la1, lo0, lo1 float64 }
	boxes := map[string]box{}
	add := func(cell string) {
		if _, ok := boxes[cell]; ok {
			return
		}
		if a, b, c, d, ok := geohashBox(cell); ok {
			boxes[cell] = box{a, b, c, d}
		}
	}
	for _, c := range cells {
		add(c.Cell)
	}
	for _, p := range ranked {
		add(p.Cell)
	}
	la0, la1, lo0, lo1 := 90.0, -90.0, 180.0, -180.0
	for _, b := range boxes {
		la0, la1, lo0, lo1 = min(la0, b.la0), max(la1, b.la1), min(lo0, b.lo0), max(lo1, b.lo1)
	}
	for _, st := range sites {
		if la, lo, ok := sitePoint(st); ok {
			la0, la1, lo0, lo1 = min(la0, la), max(la1, la), min(lo0, lo), max(lo1, lo)
		}
	}
	if la0 > la1 {
		return m
	}
	// A single point (one site, no cell) still needs an extent to scale.
	if la1-la0 < 1e-4 {
		la0, la1 = la0-5e-4, la1+5e-4
	}
	if lo1-lo0 < 1e-4 {
		lo0, lo1 = lo0-5e-4, lo1+5e-4
	}
	// One scale for both axes keeps cells square-ish; a margin of 10 px.
	sx := (mapW - 20) / (lo1 - lo0)
	sy := (mapH - 20) / (la1 - la0)
	s := min(sx, sy)
	rank := map[string]int{}
	for _, p := range ranked {
		rank[p.Cell] = p.Rank
	}
	score := map[string]coverage.CellView{}
	for _, c := range cells {
		score[c.Cell] = c
	}
	names := make([]string, 0, len(boxes))
	for n := range boxes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		b := boxes[n]
		r := cellRect{X: 10 + (b.lo0-lo0)*s, Y: 10 + (la1-b.la1)*s, W: max(4, (b.lo1-b.lo0)*s), H: max(4, (b.la1-b.la0)*s), Cell: n, Class: "cell"}
		var parts []string
		if k, ok := rank[n]; ok {
			parts = append(parts, fmt.Sprintf("#%d", k))
		}
		if c, ok := score[n]; ok && c.Score != nil {
			parts = append(parts, fmt.Sprintf("%.0f", *c.Score))
		}
		if score[n].Weak {
			r.Class = "cell weak"
			parts = append(parts, "⚠")
		}
		r.Label = strings.Join(parts, " ")
		m.Rects = append(m.Rects, r)
	}
	for _, st := range sites {
		la, lo, ok := sitePoint(st)
		if !ok {
			continue
		}
		name := st.Name
		if name == "" {
			name = st.ID
		}
		m.Sites = append(m.Sites, sitePin{X: 10 + (lo-lo0)*s, Y: 10 + (la1-la)*s, ID: st.ID,
			Label: name, Status: st.Status})
	}
	return m
}

// places is GET /ui/places (admin and ops, as the API's ranking is).
func (u *UI) places(w http.ResponseWriter, r *http.Request, v *view) {
	d := &placesData{}
	var pl struct {
		Places []places.Place `json:"places"`
	}
	if err := u.get(r.Context(), v.ss, "/api/v1/places?limit=200", &pl); err != nil {
		u.fail(w, r, v, err)
		return
	}
	var cs struct {
		Cells []coverage.CellView `json:"cells"`
	}
	if err := u.get(r.Context(), v.ss, "/api/v1/coverage/cells", &cs); err != nil {
		u.fail(w, r, v, err)
		return
	}
	var ss struct {
		Sites []inventory.SitePosition `json:"sites"`
	}
	if err := u.get(r.Context(), v.ss, "/api/v1/sites", &ss); err != nil {
		u.fail(w, r, v, err)
		return
	}
	d.Places, d.Cells, d.Sites = pl.Places, cs.Cells, ss.Sites
	d.Map = drawCells(d.Cells, d.Places, d.Sites)
	v.Title, v.Data = v.L["places"], d
	u.render(w, http.StatusOK, "places", v)
}

type compareData struct {
	Cell, Test string
	Tests      []string
	Report     *compare.Report
}

// compareCell is GET /ui/compare?cell=…&test=…: our network against the
// competitors in one cell (GET /api/v1/compare); a bad cell or test is the
// API's message above the form.
func (u *UI) compareCell(w http.ResponseWriter, r *http.Request, v *view) {
	d := &compareData{Cell: r.URL.Query().Get("cell"), Test: r.URL.Query().Get("test")}
	for n := range compare.Tests {
		d.Tests = append(d.Tests, n)
	}
	sort.Strings(d.Tests)
	if d.Test == "" && len(d.Tests) > 0 {
		d.Test = d.Tests[0]
	}
	if d.Cell != "" {
		var rep compare.Report
		err := u.get(r.Context(), v.ss, "/api/v1/compare?"+url.Values{"cell": {d.Cell}, "test": {d.Test}}.Encode(), &rep)
		switch {
		case err == nil:
			d.Report = &rep
		case statusOf(err) == http.StatusBadRequest:
			v.Error = err.Error()
		default:
			u.fail(w, r, v, err)
			return
		}
	}
	v.Title, v.Data = v.L["compare"], d
	u.render(w, http.StatusOK, "compare", v)
}
