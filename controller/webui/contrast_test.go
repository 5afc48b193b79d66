package webui

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// cssRules reads static/app.css into selector → property → value, with
// the :root variables substituted: enough for this stylesheet, which has
// no nesting and one rule per line.
func cssRules(t *testing.T) map[string]map[string]string {
	t.Helper()
	b, err := staticFS.ReadFile("static/app.css")
	if err != nil {
		t.Fatal(err)
	}
	css := regexp.MustCompile(`(?s)/\*.*?\*/`).ReplaceAllString(string(b), "")
	rules := map[string]map[string]string{}
	for _, m := range regexp.MustCompile(`([^{}]+)\{([^}]*)\}`).FindAllStringSubmatch(css, -1) {
		props := map[string]string{}
		for _, decl := range strings.Split(m[2], ";") {
			if k, v, ok := strings.Cut(decl, ":"); ok {
				props[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
		for _, sel := range strings.Split(m[1], ",") {
			rules[strings.TrimSpace(sel)] = props
		}
	}
	vars := rules[":root"]
	for _, props := range rules {
		for k, v := range props {
			if name, ok := strings.CutPrefix(v, "var("); ok {
				props[k] = vars[strings.TrimSuffix(name, ")")]
			}
		}
	}
	return rules
}

// luminance is WCAG 2's relative luminance of #rgb or #rrggbb.
func luminance(t *testing.T, hex string) float64 {
	t.Helper()
	h := strings.TrimPrefix(hex, "#")
	if len(h) == 3 {
		h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
	}
	if len(h) != 6 {
		t.Fatalf("colour %q", hex)
	}
	var c [3]float64
	for i := range c {
		v, err := strconv.ParseUint(h[2*i:2*i+2], 16, 8)
		if err != nil {
			t.Fatalf("colour %q", hex)
		}
		s := float64(v) / 255
		if s <= 0.04045 {
			c[i] = s / 12.92
		} else {
			c[i] = math.Pow((s+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
}

// Every text colour of the UI against its background meets WCAG 2 AA for
// normal text (4.5:1): the NOC wall screen is read from across a room.
func TestTextContrast(t *testing.T) {
	r := cssRules(t)
	white := r["body"]["background"]
	for _, c := range []struct{ what, fg, bg string }{
		{"body text", r["body"]["color"], white},
		{"links", r["a"]["color"], white},
		{"header", r["header nav"]["color"], r["header nav"]["background"]},
		{"header links", r["header nav a"]["color"], r["header nav"]["background"]},
		{"down", r[".st-down"]["color"], white},
		{"flapping", r[".st-flapping"]["color"], white},
		{"up", r[".st-up"]["color"], white},
		{"error", r[".err"]["color"], white},
		{"help text", r[".help"]["color"], white},
		{"chart ticks", r["svg text.tick"]["fill"], r["svg .bg"]["fill"]},
		{"map labels", r[".map .leaflet-tooltip.site-label"]["color"], white},
	} {
		if c.fg == "" || c.bg == "" {
			t.Errorf("%s: colour not found in app.css (fg %q, bg %q)", c.what, c.fg, c.bg)
			continue
		}
		a, b := luminance(t, c.fg), luminance(t, c.bg)
		ratio := (math.Max(a, b) + 0.05) / (math.Min(a, b) + 0.05)
		if ratio < 4.5 {
			t.Errorf("%s: %s on %s has contrast %.2f:1, want at least 4.5:1", c.what, c.fg, c.bg, ratio)
		}
	}
}
