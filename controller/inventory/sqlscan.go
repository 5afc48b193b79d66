package inventory

import (
	"context"
	"database/sql"
)

// Column lists shared by every query of a kind, matched by its scan function.
// Optional references are stored NULL and read back as "".
const (
	customerCols = `id, name, tier, account_manager`
	elementCols  = `id, COALESCE(parent_id, ''), kind, name, agent, snmp_address, snmp_profile`
	siteCols     = `id, COALESCE(customer_id, ''), kind, name, lat, lon, grid_cell, agent`
	contactCols  = `id, customer_id, name, role, email, phone, im, language, quiet_hours`
	lineCols     = `circuit_id, customer_id, COALESCE(a_end_site, ''), z_end, COALESCE(upstream_element_id, ''),
		sla_availability_pct, loss_pct, rtt_ms, jitter_ms, probe_address,
		COALESCE(snmp_device, ''), snmp_ifname, snmp_ifalias, COALESCE(z_end_site, ''), watchers, watch_address`
)

type scanner interface{ Scan(dest ...any) error }

func scanCustomer(s scanner) (c Customer, err error) {
	err = s.Scan(&c.ID, &c.Name, &c.Tier, &c.AccountManager)
	return c, err
}

func scanElement(s scanner) (e Element, err error) {
	err = s.Scan(&e.ID, &e.ParentID, &e.Kind, &e.Name, &e.Agent, &e.SNMPAddress, &e.SNMPProfile)
	return e, err
}

func scanSite(s scanner) (x Site, err error) {
	err = s.Scan(&x.ID, &x.CustomerID, &x.Kind, &x.Name, &x.Lat, &x.Lon, &x.GridCell, &x.Agent)
	return x, err
}

func scanContact(s scanner) (c Contact, err error) {
	err = s.Scan(&c.ID, &c.CustomerID, &c.Name, &c.Role, &c.Email, &c.Phone, &c.IM, &c.Language, &c.QuietHours)
	return c, err
}

func scanLine(s scanner) (l Line, err error) {
	t := &l.Thresholds
	var watchers string
	err = s.Scan(&l.CircuitID, &l.CustomerID, &l.ASite, &l.ZEnd, &l.UpstreamElement,
		&l.SLAAvailabilityPct, &t.LossPct, &t.RTTMs, &t.JitterMs, &l.ProbeAddress,
		&l.SNMPDevice, &l.SNMPIfName, &l.SNMPIfAlias, &l.ZSite, &watchers, &l.WatchAddress)
	if err == nil {
		l.Watchers, err = decodeWatchers(watchers)
	}
	return l, err
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// list runs a query and scans every row.
func list[T any](ctx context.Context, q querier, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// byID indexes rows by their id.
func byID[T any](rows []T, id func(T) string) map[string]T {
	m := make(map[string]T, len(rows))
	for _, r := range rows {
		m[id(r)] = r
	}
	return m
}

// existing is the stored inventory an import compares against: whole rows of
// the kinds it writes (to count unchanged ones) and of the kinds it refers to.
type existing struct {
	customers map[string]Customer
	elements  map[string]Element
	sites     map[string]Site
	contacts  map[string]Contact
	// Lines are not here: they are read a chunk at a time (storedLines).
}

func loadExisting(ctx context.Context, tx *sql.Tx, set *Set) (*existing, error) {
	var ex existing
	var err error
	load := func(need bool, f func() error) {
		if err == nil && need {
			err = f()
		}
	}
	refersCustomers := len(set.Customers)+len(set.Sites)+len(set.Contacts)+len(set.Lines) > 0
	load(refersCustomers, func() error {
		rows, err := list(ctx, tx, scanCustomer, `SELECT `+customerCols+` FROM customers`)
		ex.customers = byID(rows, func(x Customer) string { return x.ID })
		return err
	})
	load(len(set.Elements)+len(set.Lines) > 0, func() error {
		rows, err := list(ctx, tx, scanElement, `SELECT `+elementCols+` FROM upstream_elements`)
		ex.elements = byID(rows, func(x Element) string { return x.ID })
		return err
	})
	load(len(set.Sites)+len(set.Lines) > 0, func() error {
		rows, err := list(ctx, tx, scanSite, `SELECT `+siteCols+` FROM sites`)
		ex.sites = byID(rows, func(x Site) string { return x.ID })
		return err
	})
	load(len(set.Contacts) > 0, func() error {
		rows, err := list(ctx, tx, scanContact, `SELECT `+contactCols+` FROM contacts`)
		ex.contacts = byID(rows, func(x Contact) string { return x.ID })
		return err
	})
	return &ex, err
}

func (ex *existing) known() known {
	k := known{customers: map[string]bool{}, sites: map[string]bool{}, elements: map[string]string{}, devices: map[string]bool{}}
	for id := range ex.customers {
		k.customers[id] = true
	}
	for id := range ex.sites {
		k.sites[id] = true
	}
	for id, e := range ex.elements {
		k.elements[id] = e.ParentID
		if e.SNMPAddress != "" {
			k.devices[id] = true
		}
	}
	return k
}
