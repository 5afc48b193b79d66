package inventory

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// A line's watchers besides its A end: z_end_site (one site) and watchers
// (sites or elements). In CSV, watchers is one cell with ids separated by
// ';'; in YAML, the same text or a list. Both end up as the same cell text,
// so build.go checks them once.

// maxWatchers bounds one line's watchers: a line is watched from a handful
// of places, and a pasted column must not make thousands of probes.
const maxWatchers = 16

// listField reports whether a YAML key may hold a list of scalars.
func listField(name string) bool { return name == "watchers" }

// yamlList joins a YAML list of scalars with ';', the CSV form.
func yamlList(c *collector, file, field string, v *yaml.Node) (string, bool) {
	parts := make([]string, 0, len(v.Content))
	for i, item := range v.Content {
		item = resolve(item)
		if item.Kind != yaml.ScalarNode || isNull(item) {
			c.addf(file, item.Line, 0, fmt.Sprintf("%s[%d]", field, i), "must be an id")
			return "", false
		}
		if strings.Contains(item.Value, ";") {
			c.addf(file, item.Line, 0, fmt.Sprintf("%s[%d]", field, i), "%s: an id in a list cannot contain ';'", quote(item.Value))
			return "", false
		}
		parts = append(parts, strings.TrimSpace(item.Value))
	}
	return strings.Join(parts, ";"), true
}

// watchers reads a ';'-separated list of ids, each checked as an id.
func (b *builder) watchers(r *record, name string) []string {
	v := r.get(name)
	if v == "" {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, part := range strings.Split(v, ";") {
		id := strings.TrimSpace(part)
		switch {
		case id == "":
			b.bad(r, name, "%s has an empty id (ids are separated by ';')", quote(v))
			return nil
		case len(id) > maxID:
			b.bad(r, name, "an id is longer than %d characters", maxID)
			return nil
		case strings.ContainsFunc(id, func(c rune) bool { return c < ' ' || c == 0x7f }):
			b.bad(r, name, "%s contains a control character", quote(id))
			return nil
		case seen[id]:
			b.bad(r, name, "%s is named twice", quote(id))
			return nil
		}
		seen[id] = true
		out = append(out, id)
	}
	if len(out) > maxWatchers {
		b.bad(r, name, "names %d watchers; at most %d", len(out), maxWatchers)
		return nil
	}
	return out
}

// lineWatch checks a line's far-end fields on their own; whether the
// watchers exist is checked against the inventory (checkWatchers).
func (b *builder) lineWatch(r *record, l Line) {
	// Fields already reported as bad count as given: one mistake, one message.
	named := r.get("z_end_site") != "" || r.get("watchers") != ""
	switch {
	case named && l.WatchAddress == "" && r.get("watch_address") == "":
		field := "watchers"
		if r.get("z_end_site") != "" {
			field = "z_end_site"
		}
		b.bad(r, "watch_address", "is required with %s: the address (the customer end of the circuit) its watchers ping", field)
	case !named && l.WatchAddress != "":
		b.bad(r, "watch_address", "needs z_end_site or watchers: the agents that ping it")
	case l.ZSite != "" && l.ZSite == l.ASite:
		b.bad(r, "z_end_site", "%s is the line's a_end_site too", quote(l.ZSite))
	}
}

// checkWatchers reports every watcher of a line that is neither a site nor
// an element of the inventory (this file or already imported), naming the
// row: a watcher that does not exist would watch nothing, silently.
func checkWatchers(set *Set, sites map[string]bool, elements map[string]string, c *collector) {
	for i, l := range set.Lines {
		r := set.rows[KindLines][i]
		if l.ZSite != "" && !sites[l.ZSite] {
			line, col := r.pos("z_end_site")
			c.addf(set.File, line, col, r.field("z_end_site"), "watcher %s is not a known site (neither in this file nor already imported)", quote(l.ZSite))
		}
		for _, w := range l.Watchers {
			if _, isElement := elements[w]; sites[w] || isElement {
				continue
			}
			line, col := r.pos("watchers")
			c.addf(set.File, line, col, r.field("watchers"), "watcher %s is not a known site or element (neither in this file nor already imported)", quote(w))
		}
	}
}

// encodeWatchers is the stored form: a JSON array, '[]' for none.
func encodeWatchers(ids []string) string {
	if len(ids) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(ids) // strings always marshal
	return string(b)
}

func decodeWatchers(s string) ([]string, error) {
	if s == "" || s == "[]" {
		return nil, nil
	}
	var ids []string
	if err := json.Unmarshal([]byte(s), &ids); err != nil {
		return nil, fmt.Errorf("lines.watchers %q: %w", s, err)
	}
	return ids, nil
}

// farWatches maps every agent named by a line's z_end_site or watchers
// (a site's agent, or an element's) to the lines it watches from that end,
// ordered by circuit id. Three queries whatever the fleet size; the
// resolution of each watcher id is in memory, sites first.
func (s *SQLStore) farWatches(ctx context.Context) (map[string][]Line, error) {
	lines, err := list(ctx, s.db, scanLine, `SELECT `+lineCols+` FROM lines
		WHERE z_end_site IS NOT NULL OR watchers <> '[]' ORDER BY circuit_id`)
	if err != nil || len(lines) == 0 {
		return nil, err
	}
	siteAgent := map[string]string{}
	sites, err := list(ctx, s.db, scanSite, `SELECT `+siteCols+` FROM sites WHERE agent <> ''`)
	if err != nil {
		return nil, err
	}
	for _, st := range sites {
		siteAgent[st.ID] = st.Agent
	}
	elemAgent := map[string]string{}
	elems, err := list(ctx, s.db, scanElement, `SELECT `+elementCols+` FROM upstream_elements WHERE agent <> ''`)
	if err != nil {
		return nil, err
	}
	for _, e := range elems {
		elemAgent[e.ID] = e.Agent
	}
	out := map[string][]Line{}
	for _, l := range lines {
		seen := map[string]bool{}
		for _, agent := range l.watcherAgents(siteAgent, elemAgent) {
			if !seen[agent] {
				seen[agent] = true
				out[agent] = append(out[agent], l)
			}
		}
	}
	return out, nil
}

// watcherAgents resolves the line's far-end watchers to agent ids: a
// watcher id is a site when a site has that id, else an element. Watchers
// that run no agent (yet) watch nothing.
func (l Line) watcherAgents(siteAgent, elemAgent map[string]string) []string {
	var out []string
	if a := siteAgent[l.ZSite]; a != "" {
		out = append(out, a)
	}
	for _, w := range l.Watchers {
		if a, ok := siteAgent[w]; ok {
			out = append(out, a)
		} else if a := elemAgent[w]; a != "" {
			out = append(out, a)
		}
	}
	return out
}

// mergeWatches adds each agent's far-end lines to its assignment (the
// first for an agent at several sites), or to a new one without a site.
func mergeWatches(as []Assignment, watches map[string][]Line) []Assignment {
	for i := range as {
		if w, ok := watches[as[i].Agent]; ok {
			as[i].Watches = w
			delete(watches, as[i].Agent)
		}
	}
	for agent, w := range watches {
		as = append(as, Assignment{Agent: agent, Watches: w})
	}
	sort.SliceStable(as, func(i, j int) bool { return as[i].Agent < as[j].Agent })
	return as
}
