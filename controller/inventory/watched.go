package inventory

import (
	"context"
	"fmt"
)

// Watched says which agent is assigned to watch which line (circuit id),
// and which lines the inventory holds at all. Only an assigned agent's
// results are evidence about a line: an agent is an untrusted edge box,
// and a stolen one must not open an outage on a line it has no business
// seeing.
type Watched struct {
	// ByAgent maps an agent id to the lines it watches.
	ByAgent map[string]map[string]struct{}
	// Lines holds every line of the inventory, watched or not.
	Lines map[string]struct{}
	// AEnd maps a line to the agents watching it from its A-end site: the
	// customer side. Every other agent in ByAgent watches it from the
	// network side (its z_end_site, watchers, or an element above it);
	// controller/cause tells the two apart.
	AEnd map[string]map[string]struct{}
}

// CustomerSide reports whether agent watches line from its A-end site.
func (w *Watched) CustomerSide(agent, line string) bool {
	_, ok := w.AEnd[line][agent]
	return ok
}

// Watches reports whether agent is assigned to watch line.
func (w *Watched) Watches(agent, line string) bool {
	_, ok := w.ByAgent[agent][line]
	return ok
}

// Known reports whether line is in the inventory.
func (w *Watched) Known(line string) bool {
	_, ok := w.Lines[line]
	return ok
}

func (w *Watched) add(agent, line string) {
	m := w.ByAgent[agent]
	if m == nil {
		m = map[string]struct{}{}
		w.ByAgent[agent] = m
	}
	m[line] = struct{}{}
}

// watchRules are the ways an agent is assigned to a line, one query each,
// every query selecting (agent, circuit_id) pairs. A new way of watching
// lines is one more query here.
var watchRules = []struct{ name, query string }{
	// The customer side: the agent at the line's A-end site.
	{"a_end_site", `SELECT s.agent, l.circuit_id FROM lines l JOIN sites s ON s.id = l.a_end_site
		WHERE s.agent <> ''`},
	// The network side (networkSideQuery, snmp.go).
	{"network_side", networkSideQuery},
}

// WatchedLines returns every agent's assigned lines (watchRules) and every
// line of the inventory, in one query per rule and one for the lines,
// whatever the fleet size, for a cache refreshed like line health's
// inventory.
func (s *SQLStore) WatchedLines(ctx context.Context) (*Watched, error) {
	w := &Watched{ByAgent: map[string]map[string]struct{}{}, Lines: map[string]struct{}{},
		AEnd: map[string]map[string]struct{}{}}
	ids, err := s.db.QueryContext(ctx, `SELECT circuit_id FROM lines`)
	if err != nil {
		return nil, fmt.Errorf("watched lines: %w", err)
	}
	for ids.Next() {
		var id string
		if err := ids.Scan(&id); err != nil {
			ids.Close()
			return nil, fmt.Errorf("watched lines: %w", err)
		}
		w.Lines[id] = struct{}{}
	}
	err = ids.Err()
	ids.Close()
	if err != nil {
		return nil, fmt.Errorf("watched lines: %w", err)
	}
	for _, r := range watchRules {
		rows, err := s.db.QueryContext(ctx, r.query)
		if err != nil {
			return nil, fmt.Errorf("watched lines (%s): %w", r.name, err)
		}
		for rows.Next() {
			var agent, line string
			if err := rows.Scan(&agent, &line); err != nil {
				rows.Close()
				return nil, fmt.Errorf("watched lines (%s): %w", r.name, err)
			}
			w.add(agent, line)
			if r.name == "a_end_site" {
				if w.AEnd[line] == nil {
					w.AEnd[line] = map[string]struct{}{}
				}
				w.AEnd[line][agent] = struct{}{}
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("watched lines (%s): %w", r.name, err)
		}
	}
	// The far ends lines name (z_end_site, watchers): resolved in memory,
	// as for the derived probes, so evidence and probes never disagree.
	far, err := s.farWatches(ctx)
	if err != nil {
		return nil, fmt.Errorf("watched lines (far end): %w", err)
	}
	for agent, lines := range far {
		for _, l := range lines {
			w.add(agent, l.CircuitID)
		}
	}
	return w, nil
}
