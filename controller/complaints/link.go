package complaints

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"math"
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

// siteCells are a site's grid cells: as the inventory has it (grid_cell,
// coverage's cells) and the geohash of its coordinates.
type siteCells struct{ inv, geo string }

type siteRow struct {
	id, customer string
	lat, lon     float64
}

func newResolver(q querier, precision int, maxDistM float64, inv *inventory) *resolver {
	r := &resolver{q: q, precision: precision, maxDistM: maxDistM, inv: inv,
		customers: map[string]bool{}, custLines: map[string][]string{}, siteCells: map[string]siteCells{}}
	if inv != nil {
		r.phones, r.sites = inv.phones, inv.located
	}
	return r
}

// resolver links complaints within one transaction; the contacts' phones
// and the sites' coordinates are loaded once per batch, when first needed.
// With inv (a bulk import) every inventory lookup is answered from memory.
type resolver struct {
	q         querier
	precision int
	maxDistM  float64
	inv       *inventory
	phones    map[string]string // normalised phone → customer id
	sites     []siteRow         // sites with coordinates, by latitude
	// Per-transaction caches: an export names the same customers and
	// sites again and again.
	customers map[string]bool
	custLines map[string][]string
	siteCells map[string]siteCells
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

// loadPhones reads the contacts' phones: normalised phone → customer id
// (the first contact by id wins).
func loadPhones(ctx context.Context, q querier) (map[string]string, error) {
	phones := map[string]string{}
	rows, err := q.QueryContext(ctx, `SELECT customer_id, phone FROM contacts WHERE phone <> '' ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var cust, phone string
		if err := rows.Scan(&cust, &phone); err != nil {
			return nil, err
		}
		if n := normPhone(phone); n != "" {
			if _, dup := phones[n]; !dup {
				phones[n] = cust
			}
		}
	}
	return phones, rows.Err()
}

// loadSites reads the sites with coordinates, sorted by latitude.
func loadSites(ctx context.Context, q querier) ([]siteRow, error) {
	sites := []siteRow{}
	rows, err := q.QueryContext(ctx, `SELECT id, COALESCE(customer_id, ''), lat, lon FROM sites
		WHERE lat IS NOT NULL AND lon IS NOT NULL ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var s siteRow
		if err := rows.Scan(&s.id, &s.customer, &s.lat, &s.lon); err != nil {
			return nil, err
		}
		sites = append(sites, s)
	}
	slices.SortStableFunc(sites, func(a, b siteRow) int { return cmp.Compare(a.lat, b.lat) })
	return sites, rows.Err()
}

func (r *resolver) exists(ctx context.Context, query, id string) (bool, error) {
	var one int
	err := r.q.QueryRowContext(ctx, query, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// customerKnown: the inventory has customer id.
func (r *resolver) customerKnown(ctx context.Context, id string) (bool, error) {
	if r.inv != nil {
		return r.inv.customers[id], nil
	}
	ok, cached := r.customers[id]
	if !cached {
		var err error
		if ok, err = r.exists(ctx, `SELECT 1 FROM customers WHERE id = ?`, id); err != nil {
			return false, err
		}
		r.customers[id] = ok
	}
	return ok, nil
}

// line returns a line's customer and A-end site; ok false when unknown.
func (r *resolver) line(ctx context.Context, id string) (l invLine, ok bool, err error) {
	if r.inv != nil {
		l, ok = r.inv.lines[id]
		return l, ok, nil
	}
	var site sql.NullString
	err = r.q.QueryRowContext(ctx, `SELECT customer_id, a_end_site FROM lines WHERE circuit_id = ?`, id).Scan(&l.customer, &site)
	if errors.Is(err, sql.ErrNoRows) {
		return l, false, nil
	}
	l.aSite = site.String
	return l, err == nil, err
}

// linesAt returns the lines with site at either end: the customer's
// premises (A end) or the far office a line runs to (Z end).
func (r *resolver) linesAt(ctx context.Context, site string) ([]string, error) {
	if r.inv != nil {
		return r.inv.siteLines[site], nil
	}
	return r.strings(ctx, `SELECT circuit_id FROM lines WHERE a_end_site = ?1
		UNION SELECT circuit_id FROM lines WHERE z_end_site = ?1 ORDER BY 1 LIMIT ?2`, site)
}

// linesOf returns a customer's lines, the first maxLinesPerComplaint by circuit id.
func (r *resolver) linesOf(ctx context.Context, customer string) ([]string, error) {
	if r.inv != nil {
		return r.inv.custLines[customer], nil
	}
	lines, ok := r.custLines[customer]
	if !ok {
		var err error
		if lines, err = r.strings(ctx, `SELECT circuit_id FROM lines WHERE customer_id = ? ORDER BY circuit_id LIMIT ?`, customer); err != nil {
			return nil, err
		}
		r.custLines[customer] = lines
	}
	return lines, nil
}

// site returns a site's inventory grid cell and coordinates.
func (r *resolver) site(ctx context.Context, id string) (invSite, error) {
	if r.inv != nil {
		return r.inv.sites[id], nil
	}
	var s invSite
	err := r.q.QueryRowContext(ctx, `SELECT grid_cell, lat, lon FROM sites WHERE id = ?`, id).Scan(&s.cell, &s.lat, &s.lon)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return s, err
}

// nearest returns the nearest site within reach of (lat, lon) that is not
// another customer's premises (customer "" takes any), or nil.
func (r *resolver) nearest(lat, lon float64, customer string) *siteRow {
	var near *siteRow
	best := r.maxDistM
	// Sites are sorted by latitude: only the band within reach is
	// measured (a degree of latitude is ~111 km everywhere, a degree of
	// longitude that times the cosine of the latitude).
	band := r.maxDistM/111000 + 1e-9
	lonBand := 360.0
	if c := math.Cos(math.Min(math.Abs(lat)+band, 90) * math.Pi / 180); c > 1e-6 {
		lonBand = band / c
	}
	lo, _ := slices.BinarySearchFunc(r.sites, lat-band, func(s siteRow, lat float64) int { return cmp.Compare(s.lat, lat) })
	for i := lo; i < len(r.sites) && r.sites[i].lat <= lat+band; i++ {
		s := &r.sites[i]
		if d := math.Abs(s.lon - lon); d > lonBand && 360-d > lonBand {
			continue // out of reach east or west (the haversine below is the cost)
		}
		if customer != "" && s.customer != "" && s.customer != customer {
			continue // another customer's premises is no place of this one's
		}
		if d := distanceM(lat, lon, s.lat, s.lon); d <= best {
			best, near = d, s
		}
	}
	return near
}

// resolve links one complaint: by customer id, then circuit id, then a
// contact's phone, then coordinates to the nearest site within reach.
// Each way that names something the inventory knows narrows the lines;
// the grid cell is the complaint's own position when it has one (where
// the customer is), else its site's.
func (r *resolver) resolve(ctx context.Context, in *Intake) (link, error) {
	var l link
	if id := strings.TrimSpace(in.CustomerID); id != "" {
		ok, err := r.customerKnown(ctx, id)
		if err != nil {
			return l, err
		}
		if ok {
			l.customer, l.by = id, "customer_id"
		}
	}
	if id := strings.TrimSpace(in.CircuitID); id != "" {
		ln, ok, err := r.line(ctx, id)
		switch {
		case err != nil:
			return l, err
		case ok && (l.customer == "" || l.customer == ln.customer):
			l.lines = []string{id}
			l.site = ln.aSite
			if l.customer == "" {
				l.customer, l.by = ln.customer, "circuit_id"
			}
		}
	}
	if p := normPhone(in.Phone); p != "" && l.customer == "" {
		if r.phones == nil {
			var err error
			if r.phones, err = loadPhones(ctx, r.q); err != nil {
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
			var err error
			if r.sites, err = loadSites(ctx, r.q); err != nil {
				return l, err
			}
		}
		if near = r.nearest(*in.Lat, *in.Lon, l.customer); near != nil {
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
			l.lines, err = r.linesAt(ctx, l.site)
		case l.customer != "":
			l.lines, err = r.linesOf(ctx, l.customer)
		}
		if err != nil {
			return l, err
		}
	}
	if l.site == "" && len(l.lines) > 0 {
		ln, _, err := r.line(ctx, l.lines[0])
		if err != nil {
			return l, err
		}
		l.site = ln.aSite
	}
	if l.site != "" {
		sc, ok := r.siteCells[l.site]
		if !ok {
			st, err := r.site(ctx, l.site)
			if err != nil {
				return l, err
			}
			sc.inv = st.cell
			if st.lat.Valid && st.lon.Valid {
				sc.geo = Geohash(st.lat.Float64, st.lon.Float64, r.precision)
			}
			r.siteCells[l.site] = sc
		}
		l.siteCell, l.cell = sc.inv, sc.geo
	}
	if in.Lat != nil {
		l.cell = Geohash(*in.Lat, *in.Lon, r.precision)
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
