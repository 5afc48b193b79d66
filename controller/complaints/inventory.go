package complaints

import (
	"context"
	"database/sql"
)

// inventory is the part of the inventory linking reads, held in memory for
// a bulk import: an export of 100,000 rows names the same few thousand
// customers, lines and sites again and again, and looking each up in
// SQLite (several index seeks per row) was a fifth of the import's time.
// It is read once, when the import's first batch is linked, so lines or
// sites added while the import runs are linked by the next re-evaluation
// (Reevaluate resolves every complaint again), as a complaint received
// before them would be.
type inventory struct {
	customers map[string]bool
	lines     map[string]invLine  // circuit id → its customer and A-end site
	custLines map[string][]string // customer → its lines by circuit id, at most maxLinesPerComplaint
	siteLines map[string][]string // site → lines with it at either end, likewise
	sites     map[string]invSite
	phones    map[string]string // as resolver.phones
	located   []siteRow         // as resolver.sites
}

type invLine struct{ customer, aSite string }

type invSite struct {
	cell     string // grid_cell in the inventory
	lat, lon sql.NullFloat64
}

// loadInventory reads customers, lines and sites in three statements.
func loadInventory(ctx context.Context, q querier) (*inventory, error) {
	inv := &inventory{customers: map[string]bool{}, lines: map[string]invLine{}, custLines: map[string][]string{},
		siteLines: map[string][]string{}, sites: map[string]invSite{}}
	rows, err := q.QueryContext(ctx, `SELECT id FROM customers`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		inv.customers[id] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// In circuit id order (BINARY, as the per-row queries' ORDER BY), so
	// the lists below come out sorted and are cut where those queries'
	// LIMIT cuts.
	rows, err = q.QueryContext(ctx, `SELECT circuit_id, customer_id, COALESCE(a_end_site, ''), COALESCE(z_end_site, '')
		FROM lines ORDER BY circuit_id`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id, cust, a, z string
		if err := rows.Scan(&id, &cust, &a, &z); err != nil {
			rows.Close()
			return nil, err
		}
		inv.lines[id] = invLine{customer: cust, aSite: a}
		inv.custLines[cust] = appendCapped(inv.custLines[cust], id)
		if a != "" {
			inv.siteLines[a] = appendCapped(inv.siteLines[a], id)
		}
		if z != "" && z != a {
			inv.siteLines[z] = appendCapped(inv.siteLines[z], id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT id, grid_cell, lat, lon FROM sites`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id string
		var s invSite
		if err := rows.Scan(&id, &s.cell, &s.lat, &s.lon); err != nil {
			rows.Close()
			return nil, err
		}
		inv.sites[id] = s
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if inv.phones, err = loadPhones(ctx, q); err != nil {
		return nil, err
	}
	if inv.located, err = loadSites(ctx, q); err != nil {
		return nil, err
	}
	return inv, nil
}

func appendCapped(list []string, id string) []string {
	if len(list) >= maxLinesPerComplaint {
		return list
	}
	return append(list, id)
}
