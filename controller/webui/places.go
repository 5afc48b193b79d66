package webui

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
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
	// Map is mapData as JSON, for static/map.js (a data attribute: the
	// page's CSP allows no inline script).
	Map string
}

// mapData is what static/map.js draws with Leaflet: the tile layer when
// one is configured (else a plain background, nothing fetched), the grid
// cells as rectangles and the sites as dots, each with its label as text
// (rank, score and ⚠; name and state in words), not colour alone.
type mapData struct {
	Tiles *Tiles    `json:"tiles,omitempty"`
	Cells []mapCell `json:"cells"`
	Sites []mapSite `json:"sites"`
}

type mapCell struct {
	Cell string `json:"cell"`
	// Bounds is [[south, west], [north, east]], as Leaflet takes it.
	Bounds [2][2]float64 `json:"bounds"`
	Label  string        `json:"label"`
	Weak   bool          `json:"weak"`
}

type mapSite struct {
	ID    string  `json:"id"`
	Lat   float64 `json:"lat"`
	Lon   float64 `json:"lon"`
	Label string  `json:"label"`
	// Status is the site's lines' worst state (a CSS class); Label
	// already says it in words.
	Status string `json:"status"`
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

// buildMap places the ranked and scored cells and the sites; a cell or
// site without a position (a bad geohash) is left off the map, still in
// the tables below it.
func buildMap(cells []coverage.CellView, ranked []places.Place, sites []inventory.SitePosition, tiles *Tiles, l map[string]string) mapData {
	m := mapData{Tiles: tiles, Cells: []mapCell{}, Sites: []mapSite{}}
	rank := map[string]int{}
	for _, p := range ranked {
		rank[p.Cell] = p.Rank
	}
	score := map[string]coverage.CellView{}
	for _, c := range cells {
		score[c.Cell] = c
	}
	var names []string
	for _, c := range cells {
		names = append(names, c.Cell)
	}
	for _, p := range ranked {
		names = append(names, p.Cell)
	}
	sort.Strings(names)
	names = slices.Compact(names)
	for _, n := range names {
		la0, la1, lo0, lo1, ok := geohashBox(n)
		if !ok {
			continue
		}
		parts := []string{n}
		if k, ok := rank[n]; ok {
			parts = append(parts, fmt.Sprintf("#%d", k))
		}
		if c, ok := score[n]; ok && c.Score != nil {
			parts = append(parts, fmt.Sprintf("%.0f", *c.Score))
		}
		weak := score[n].Weak
		if weak {
			parts = append(parts, "⚠ "+l["weak"])
		}
		m.Cells = append(m.Cells, mapCell{Cell: n, Bounds: [2][2]float64{{la0, lo0}, {la1, lo1}},
			Label: strings.Join(parts, " "), Weak: weak})
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
		icon := stateIcon(st.Status)
		m.Sites = append(m.Sites, mapSite{ID: st.ID, Lat: la, Lon: lo, Status: st.Status,
			Label: fmt.Sprintf("%s %s (%s)", icon, name, tr(l, st.Status))})
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
	b, err := json.Marshal(buildMap(d.Cells, d.Places, d.Sites, u.tiles, v.L))
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	d.Map = string(b)
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
