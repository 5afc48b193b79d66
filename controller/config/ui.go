package config

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"
)

// UI configures the controller's web UI (controller/webui).
//
//	ui:
//	  tiles:
//	    url: http://tiles.noc.lan/osm/{z}/{x}/{y}.png
//	    attribution: "© OpenStreetMap contributors"
//	    max_zoom: 18
type UI struct {
	// Tiles is the places map's background; omitted (the default), the
	// map draws sites and grid cells on a plain background and the
	// browser fetches nothing but the controller's own pages, so it
	// renders where the operator has no internet.
	Tiles *MapTiles `yaml:"tiles"`
}

// MapTiles is a raster tile layer in the usual {z}/{x}/{y} scheme (an
// OpenStreetMap-style tile server, e.g. one run inside the operator's own
// network, or a directory of tiles behind any web server).
type MapTiles struct {
	// URL is the tile template with {z}, {x} and {y}: absolute http(s), or
	// a path on the controller's own host ("/tiles/{z}/{x}/{y}.png" behind
	// the same proxy). The browser fetches tiles from it; the UI's
	// Content-Security-Policy allows that origin for images and no other.
	URL string `yaml:"url"`
	// Attribution is shown in the map's corner, as plain text (a tile
	// set's licence usually asks for it).
	Attribution string `yaml:"attribution"`
	// MaxZoom is the deepest zoom level the server has (1..24, default 18).
	MaxZoom int `yaml:"max_zoom"`
}

var tilePlaceholder = regexp.MustCompile(`\{[^}]*\}`)

func (c *Config) setUIDefaults() {
	if t := c.UI.Tiles; t != nil && t.MaxZoom == 0 {
		t.MaxZoom = 18
	}
}

func (c *Config) validateUI(bad func(field, format string, args ...any)) {
	t := c.UI.Tiles
	if t == nil {
		return
	}
	if t.URL == "" {
		bad("ui.tiles.url", "is required (e.g. http://tiles.noc.lan/{z}/{x}/{y}.png); omit ui.tiles for a map without tiles")
	} else {
		seen := map[string]bool{}
		for _, p := range tilePlaceholder.FindAllString(t.URL, -1) {
			switch p {
			case "{z}", "{x}", "{y}":
				seen[p] = true
			default:
				// {s} would spread tiles over hosts the page's
				// Content-Security-Policy does not name.
				bad("ui.tiles.url", "%s is not a placeholder the map fills (only {z}, {x}, {y}; use one host, not {s})", p)
			}
		}
		if !seen["{z}"] || !seen["{x}"] || !seen["{y}"] {
			bad("ui.tiles.url", "%q needs {z}, {x} and {y}", t.URL)
		}
		u, err := url.Parse(tilePlaceholder.ReplaceAllString(t.URL, "0"))
		switch {
		case err != nil:
			bad("ui.tiles.url", "%q is not a URL: %v", t.URL, err)
		case u.User != nil:
			bad("ui.tiles.url", "must not carry a user or password: every browser would see it")
		case u.Scheme == "" && u.Host == "" && strings.HasPrefix(u.Path, "/"):
			// A path on the controller's own origin.
		case (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			bad("ui.tiles.url", "%q is neither an http(s) URL nor a path starting with /", t.URL)
		}
	}
	if len(t.Attribution) > 300 || strings.IndexFunc(t.Attribution, unicode.IsControl) >= 0 {
		bad("ui.tiles.attribution", "must be one line of at most 300 bytes")
	}
	if t.MaxZoom < 1 || t.MaxZoom > 24 {
		bad("ui.tiles.max_zoom", "%d is outside 1..24", t.MaxZoom)
	}
}

// TileOrigin is the scheme://host[:port] tiles are fetched from, "" for a
// path on the controller's own origin or no tiles.
func (t *MapTiles) TileOrigin() string {
	if t == nil {
		return ""
	}
	u, err := url.Parse(tilePlaceholder.ReplaceAllString(t.URL, "0"))
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}
