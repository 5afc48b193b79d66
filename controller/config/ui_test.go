package config

import (
	"strings"
	"testing"
)

// Bad tile settings are refused with file:line, the field and why, all at
// once.
func TestUITilesInvalid(t *testing.T) {
	for _, c := range []struct{ yaml, want string }{
		{"ui:\n  tiles:\n    attribution: x\n", "controller.yaml:3: ui.tiles.url: is required"},
		{"ui:\n  tiles:\n    url: http://t.lan/{z}/{x}.png\n", `controller.yaml:4: ui.tiles.url: "http://t.lan/{z}/{x}.png" needs {z}, {x} and {y}`},
		{"ui:\n  tiles:\n    url: http://{s}.t.lan/{z}/{x}/{y}.png\n", "controller.yaml:4: ui.tiles.url: {s} is not a placeholder the map fills"},
		{"ui:\n  tiles:\n    url: ftp://t.lan/{z}/{x}/{y}.png\n", `controller.yaml:4: ui.tiles.url: "ftp://t.lan/{z}/{x}/{y}.png" is neither an http(s) URL nor a path starting with /`},
		{"ui:\n  tiles:\n    url: tiles/{z}/{x}/{y}.png\n", "is neither an http(s) URL nor a path starting with /"},
		{"ui:\n  tiles:\n    url: http://u:p@t.lan/{z}/{x}/{y}.png\n", "controller.yaml:4: ui.tiles.url: must not carry a user or password"},
		{"ui:\n  tiles:\n    url: /tiles/{z}/{x}/{y}.png\n    max_zoom: 30\n", "controller.yaml:5: ui.tiles.max_zoom: 30 is outside 1..24"},
		{"ui:\n  tiles:\n    url: /tiles/{z}/{x}/{y}.png\n    attribution: \"a\\nb\"\n", "controller.yaml:5: ui.tiles.attribution: must be one line"},
		{"ui:\n  tiles:\n    url: /t/{z}/{x}/{y}.png\n    zoom: 3\n", "zoom"},
	} {
		// One line of influx precedes the block.
		_, err := Parse("controller.yaml", []byte("influx: {url: http://127.0.0.1:8086, bucket: vantage}\n"+c.yaml))
		if err == nil {
			t.Errorf("accepted:\n%s", c.yaml)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s\n got: %v\nwant: %s", c.yaml, err, c.want)
		}
	}
}

// Without ui.tiles there are no tiles; with them max_zoom defaults to 18
// and the origin is what the page's CSP must allow.
func TestUITilesDefaults(t *testing.T) {
	c, err := Parse("controller.yaml", []byte("influx: {url: http://127.0.0.1:8086, bucket: vantage}\n"))
	if err != nil || c.UI.Tiles != nil || c.UI.Tiles.TileOrigin() != "" {
		t.Fatalf("no ui block: %+v %v", c.UI, err)
	}
	c, err = Parse("controller.yaml", []byte("influx: {url: http://127.0.0.1:8086, bucket: vantage}\nui: {tiles: {url: \"http://127.0.0.1:8080/osm/{z}/{x}/{y}.png\"}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.UI.Tiles.MaxZoom != 18 || c.UI.Tiles.TileOrigin() != "http://127.0.0.1:8080" {
		t.Fatalf("tiles %+v origin %q", c.UI.Tiles, c.UI.Tiles.TileOrigin())
	}
	c, err = Parse("controller.yaml", []byte("influx: {url: http://127.0.0.1:8086, bucket: vantage}\nui: {tiles: {url: \"/tiles/{z}/{x}/{y}.png\", max_zoom: 12}}\n"))
	if err != nil || c.UI.Tiles.TileOrigin() != "" || c.UI.Tiles.MaxZoom != 12 {
		t.Fatalf("same-origin tiles: %+v %v", c.UI.Tiles, err)
	}
}
