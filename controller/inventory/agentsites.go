package inventory

import (
	"context"
	"fmt"
)

// AgentSites maps every agent a site names to that site's id: where the
// inventory says the agent runs. It is what the controller's registry tags
// an agent's `agent` points with, never the site an agent's heartbeat
// claims. An agent named by several sites (an inventory mistake the import
// allows) gets the lowest site id, so the answer is stable.
func (s *SQLStore) AgentSites(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT agent, min(id) FROM sites WHERE agent <> '' GROUP BY agent`)
	if err != nil {
		return nil, fmt.Errorf("agent sites: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var agent, site string
		if err := rows.Scan(&agent, &site); err != nil {
			return nil, fmt.Errorf("agent sites: %w", err)
		}
		out[agent] = site
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("agent sites: %w", err)
	}
	return out, nil
}
