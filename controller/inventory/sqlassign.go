package inventory

import "context"

// Assignments implements Store with seven queries whatever the fleet size:
// 10,000 agents must not mean 10,000 queries on every refresh.
func (s *SQLStore) Assignments(ctx context.Context) ([]Assignment, error) {
	sites, err := list(ctx, s.db, scanSite, `SELECT `+siteCols+` FROM sites WHERE agent <> '' ORDER BY agent, id`)
	if err != nil {
		return nil, err
	}
	lines, err := list(ctx, s.db, scanLine, `SELECT `+lineCols+` FROM lines
		WHERE probe_address <> '' AND a_end_site IN (SELECT id FROM sites WHERE agent <> '')
		ORDER BY circuit_id`)
	if err != nil {
		return nil, err
	}
	out := make([]Assignment, len(sites))
	at := make(map[string]int, len(sites))
	for i, st := range sites {
		out[i] = Assignment{Agent: st.Agent, Site: st}
		at[st.ID] = i
	}
	for _, l := range lines {
		if i, ok := at[l.ASite]; ok {
			out[i].Lines = append(out[i].Lines, l)
		}
	}
	watches, err := s.farWatches(ctx)
	if err != nil {
		return nil, err
	}
	out = mergeWatches(out, watches)
	devices, err := s.snmpAssignments(ctx)
	if err != nil {
		return nil, err
	}
	return mergeDevices(out, devices), nil
}
