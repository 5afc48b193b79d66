package complaints

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
)

// querier is a transaction or the database.
type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// link is what a complaint resolved to.
type link struct {
	customer string
	by       string // customer_id, circuit_id, phone, coordinates or ''
	site     string
	cell     string
	siteCell string // the site's grid cell in the inventory (coverage's cells)
	lines    []string
}

// maxLinesPerComplaint bounds the lines a customer-wide complaint is
// judged on (a group customer may have hundreds; the first by circuit id
// are taken, and the evidence says so).
const maxLinesPerComplaint = 200

type siteRow struct {
	id, customer string
	lat, lon     float64
}

func newResolver(q querier, precision int, maxDistM float64) *resolver {
	return &resolver{q: q, precision: precision, maxDistM: maxDistM,
		customers: map[string]bool{}, custLines: map[string][]string{}, siteCell: map[string]string{},
		invCell: map[string]string{}}
}

// resolver links complaints within one transaction; the contacts' phones
// and the sites' coordinates are loaded once per batch, when first needed.
type resolver struct {
	q         querier
	precision int
	maxDistM  float64
	phones    map[string]string // normalised phone → customer id
	sites     []siteRow
	// Per-transaction caches: an export names the same customers and
	// sites again and again.
	customers map[string]bool
	custLines map[string][]string
	siteCell  map[string]string
	invCell   map[string]string    // site → its inventory grid_cell
	scored    map[string]cellScore // coverage_cells, loaded when first needed
	sampled   map[string]bool      // cells with cell_samples, loaded when first needed
}

// normPhone keeps the digits of a phone number and drops a leading 86
// (China's country code) from a longer number, so "+86 138-0013-8000"
// and "13800138000" are the same contact.
func normPhone(p string) string {
	var b strings.Builder
	for _, r := range p {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if len(d) > 11 && strings.HasPrefix(d, "86") {
		d = d[2:]
	}
	return d
}

func (r *resolver) loadPhones(ctx context.Context) error {
	r.phones = map[string]string{}
	rows, err := r.q.QueryContext(ctx, `SELECT customer_id, phone FROM contacts WHERE phone <> '' ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var cust, phone string
		if err := rows.Scan(&cust, &phone); err != nil {
			return err
		}
		if n := normPhone(phone); n != "" {
			if _, dup := r.phones[n]; !dup {
				r.phones[n] = cust
			}
		}
	}
	return rows.Err()
}

func (r *resolver) loadSites(ctx context.Context) error {
	r.sites = []siteRow{}
	rows, err := r.q.QueryContext(ctx, `SELECT id, COALESCE(customer_id, ''), lat, lon FROM sites
		WHERE lat IS NOT NULL AND lon IS NOT NULL ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var s siteRow
		if err := rows.Scan(&s.id, &s.customer, &s.lat, &s.lon); err != nil {
			return err
		}
		r.sites = append(r.sites, s)
	}
	slices.SortStableFunc(r.sites, func(a, b siteRow) int { return cmp.Compare(a.lat, b.lat) })
	return rows.Err()
}

func (r *resolver) exists(ctx context.Context, query, id string) (bool, error) {
	var one int
	err := r.q.QueryRowContext(ctx, query, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// resolve links one complaint: by customer id, then circuit id, then a
// contact's phone, then coordinates to the nearest site within reach.
// Each way that names something the inventory knows narrows the lines;
// the grid cell is the complaint's own position when it has one (where
// the customer is), else its site's.
func (r *resolver) resolve(ctx context.Context, in *Intake) (link, error) {
	var l link
	if id := strings.TrimSpace(in.CustomerID); id != "" {
		ok, cached := r.customers[id]
		if !cached {
			var err error
			if ok, err = r.exists(ctx, `SELECT 1 FROM customers WHERE id = ?`, id); err != nil {
				return l, err
			}
			r.customers[id] = ok
		}
		if ok {
			l.customer, l.by = id, "customer_id"
		}
	}
	if id := strings.TrimSpace(in.CircuitID); id != "" {
		var cust string
		var site sql.NullString
		err := r.q.QueryRowContext(ctx, `SELECT customer_id, a_end_site FROM lines WHERE circuit_id = ?`, id).Scan(&cust, &site)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return l, err
		case l.customer == "" || l.customer == cust:
			l.lines = []string{id}
			l.site = site.String
			if l.customer == "" {
				l.customer, l.by = cust, "circuit_id"
			}
		}
	}
	if p := normPhone(in.Phone); p != "" && l.customer == "" {
		if r.phones == nil {
			if err := r.loadPhones(ctx); err != nil {
				return l, err
			}
		}
		if cust, ok := r.phones[p]; ok {
			l.customer, l.by = cust, "phone"
		}
	}
	var near *siteRow
	if in.Lat != nil && l.site == "" {
		if r.sites == nil {
			if err := r.loadSites(ctx); err != nil {
				return l, err
			}
		}
		best := r.maxDistM
		// Sites are sorted by latitude: only the band within reach is
		// measured (a degree of latitude is ~111 km everywhere).
		band := r.maxDistM/111000 + 1e-9
		lo, _ := slices.BinarySearchFunc(r.sites, *in.Lat-band, func(s siteRow, lat float64) int { return cmp.Compare(s.lat, lat) })
		for i := lo; i < len(r.sites) && r.sites[i].lat <= *in.Lat+band; i++ {
			s := &r.sites[i]
			if l.customer != "" && s.customer != "" && s.customer != l.customer {
				continue // another customer's premises is no place of this one's
			}
			if d := distanceM(*in.Lat, *in.Lon, s.lat, s.lon); d <= best {
				best, near = d, s
			}
		}
		if near != nil {
			l.site = near.id
			if l.by == "" {
				l.by = "coordinates"
				l.customer = near.customer
			}
		}
	}
	if len(l.lines) == 0 {
		var err error
		switch {
		case l.site != "" && near != nil:
			// A site is either end of its lines: the customer's premises
			// (A end) or the far office a line runs to (Z end).
			l.lines, err = r.strings(ctx, `SELECT circuit_id FROM lines WHERE a_end_site = ?1
				UNION SELECT circuit_id FROM lines WHERE z_end_site = ?1 ORDER BY 1 LIMIT ?2`, l.site)
		case l.customer != "":
			var ok bool
			if l.lines, ok = r.custLines[l.customer]; !ok {
				l.lines, err = r.strings(ctx, `SELECT circuit_id FROM lines WHERE customer_id = ? ORDER BY circuit_id LIMIT ?`, l.customer)
				if err == nil {
					r.custLines[l.customer] = l.lines
				}
			}
		}
		if err != nil {
			return l, err
		}
	}
	if l.site == "" && len(l.lines) > 0 {
		var site sql.NullString
		if err := r.q.QueryRowContext(ctx, `SELECT a_end_site FROM lines WHERE circuit_id = ?`, l.lines[0]).Scan(&site); err != nil {
			return l, err
		}
		l.site = site.String
	}
	if l.site != "" {
		c, ok := r.invCell[l.site]
		if !ok {
			err := r.q.QueryRowContext(ctx, `SELECT grid_cell FROM sites WHERE id = ?`, l.site).Scan(&c)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return l, err
			}
			r.invCell[l.site] = c
		}
		l.siteCell = c
	}
	switch {
	case in.Lat != nil:
		l.cell = Geohash(*in.Lat, *in.Lon, r.precision)
	case l.site != "" && r.siteCell[l.site] != "":
		l.cell = r.siteCell[l.site]
	case l.site != "":
		var lat, lon sql.NullFloat64
		err := r.q.QueryRowContext(ctx, `SELECT lat, lon FROM sites WHERE id = ?`, l.site).Scan(&lat, &lon)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return l, err
		}
		if lat.Valid && lon.Valid {
			l.cell = Geohash(lat.Float64, lon.Float64, r.precision)
			r.siteCell[l.site] = l.cell
		}
	}
	return l, nil
}

func (r *resolver) strings(ctx context.Context, query, arg string) ([]string, error) {
	rows, err := r.q.QueryContext(ctx, query, arg, maxLinesPerComplaint)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
