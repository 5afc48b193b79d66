package inventory

import (
	"context"
	"fmt"
	"net/http"

	"github.com/vantage-net/vantage/internal/serve"
)

// maxMapSites bounds one GET /api/v1/sites answer; Truncated says when
// more sites have a position.
const maxMapSites = 5000

// SitePosition is a site with a position (coordinates or a grid cell) and
// the state of the lines whose A end it is, for the places map.
type SitePosition struct {
	Site
	// Lines counts the site's lines; Down and Flapping those in that state.
	Lines    int `json:"lines"`
	Down     int `json:"down"`
	Flapping int `json:"flapping"`
	// Status is the worst state of its lines: down, flapping, up, or
	// unknown (no line heard yet, or no line at all).
	Status string `json:"status"`
}

// SitePositions returns up to limit sites that have coordinates or a grid
// cell, ordered by id, and whether more exist.
func (s *SQLStore) SitePositions(ctx context.Context, limit int) ([]SitePosition, bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+siteColsOf("s")+`,
		COUNT(l.circuit_id),
		COALESCE(SUM(st.state = 'down'), 0),
		COALESCE(SUM(st.state = 'flapping'), 0),
		COALESCE(SUM(st.state = 'up'), 0)
		FROM sites s
		LEFT JOIN lines l ON l.a_end_site = s.id
		LEFT JOIN line_states st ON st.circuit_id = l.circuit_id
		WHERE (s.lat IS NOT NULL AND s.lon IS NOT NULL) OR s.grid_cell != ''
		GROUP BY s.id ORDER BY s.id LIMIT ?`, limit+1)
	if err != nil {
		return nil, false, fmt.Errorf("inventory: site positions: %w", err)
	}
	defer rows.Close()
	var out []SitePosition
	for rows.Next() {
		var p SitePosition
		var up int
		if err := rows.Scan(&p.ID, &p.CustomerID, &p.Kind, &p.Name, &p.Lat, &p.Lon, &p.GridCell, &p.Agent,
			&p.Lines, &p.Down, &p.Flapping, &up); err != nil {
			return nil, false, fmt.Errorf("inventory: site positions: %w", err)
		}
		switch {
		case p.Down > 0:
			p.Status = "down"
		case p.Flapping > 0:
			p.Status = "flapping"
		case up > 0:
			p.Status = "up"
		default:
			p.Status = "unknown"
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("inventory: site positions: %w", err)
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	return out, more, nil
}

// siteColsOf is siteCols qualified by a table alias.
func siteColsOf(a string) string {
	return a + `.id, COALESCE(` + a + `.customer_id, ''), ` + a + `.kind, ` + a + `.name, ` + a + `.lat, ` +
		a + `.lon, ` + a + `.grid_cell, ` + a + `.agent`
}

// SitesHandler serves GET /api/v1/sites: every site with a position and
// its lines' state, for the places map. The controller puts it behind
// admin/ops, as the places ranking it is drawn with: hotspot sites belong
// to no customer, so there is no account-manager scope to cut it to.
func SitesHandler(s *SQLStore) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sites, more, err := s.SitePositions(r.Context(), maxMapSites)
		if err != nil {
			serve.JSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
			return
		}
		if sites == nil {
			sites = []SitePosition{}
		}
		serve.JSON(w, http.StatusOK, map[string]any{"sites": sites, "truncated": more})
	})
}
