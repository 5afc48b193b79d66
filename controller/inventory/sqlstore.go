package inventory

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/vantage-net/vantage/controller/store/sqldb"
)

// SQLStore is Store on the controller's database, SQLite or PostgreSQL
// (controller/store/sqldb): one SQL text (upserts, recursive CTEs,
// json_each over a JSON array) serves both.
type SQLStore struct {
	db  *sql.DB
	now func() time.Time // for progress intervals; tests may replace it
}

var _ Store = (*SQLStore)(nil)

// NewSQLStore uses db, which must have been opened by controller/store/sqldb
// (schema migrated). The caller keeps ownership of db.
func NewSQLStore(db *sql.DB) *SQLStore { return &SQLStore{db: db, now: time.Now} }

// Open opens (creating and migrating if needed) the database target names
// (a SQLite file's path or a postgres:// URL) and returns a Store on it;
// Close the returned *sql.DB when done.
func Open(ctx context.Context, target string) (*SQLStore, *sql.DB, error) {
	db, err := sqldb.Open(ctx, target)
	if err != nil {
		return nil, nil, err
	}
	return NewSQLStore(db), db, nil
}

// OpenSQLite is Open under its name from before PostgreSQL.
func OpenSQLite(ctx context.Context, path string) (*SQLStore, *sql.DB, error) { return Open(ctx, path) }

// Import implements Store. The whole check-then-write runs in one write
// transaction, so a concurrent import cannot slip a conflicting row between
// the reference checks and the writes.
func (s *SQLStore) Import(ctx context.Context, set *Set, opts ImportOptions) (Counts, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() // after Commit a no-op; otherwise nothing of the file stays

	old, err := loadExisting(ctx, tx, set)
	if err != nil {
		return nil, err
	}
	c := &collector{}
	checkRefs(set, old.known(), c)
	if err := c.err(); err != nil {
		return nil, err
	}
	w := &writer{ctx: ctx, tx: tx, opts: opts, file: set.File, total: set.Len(), now: s.now}
	w.last = w.now()
	counts := Counts{}
	steps := []struct {
		kind Kind
		n    int
		run  func() (Tally, error)
	}{
		{KindCustomers, len(set.Customers), func() (Tally, error) {
			return writeKind(w, set.Customers, loaded(old.customers), func(x Customer) string { return x.ID },
				func(a, b Customer) bool { return a == b }, upsertCustomer,
				func(x Customer) []any { return []any{x.ID, x.Name, string(x.Tier), x.AccountManager} })
		}},
		{KindElements, len(set.Elements), func() (Tally, error) {
			return writeKind(w, set.Elements, loaded(old.elements), func(x Element) string { return x.ID },
				func(a, b Element) bool { return a == b }, upsertElement,
				func(x Element) []any {
					return []any{x.ID, null(x.ParentID), x.Kind, x.Name, x.Agent, x.SNMPAddress, x.SNMPProfile}
				})
		}},
		{KindSites, len(set.Sites), func() (Tally, error) {
			return writeKind(w, set.Sites, loaded(old.sites), func(x Site) string { return x.ID }, Site.equal, upsertSite,
				func(x Site) []any {
					return []any{x.ID, null(x.CustomerID), x.Kind, x.Name, x.Lat, x.Lon, x.GridCell, x.Agent}
				})
		}},
		{KindContacts, len(set.Contacts), func() (Tally, error) {
			return writeKind(w, set.Contacts, loaded(old.contacts), func(x Contact) string { return x.ID },
				func(a, b Contact) bool { return a == b }, upsertContact,
				func(x Contact) []any {
					return []any{x.ID, x.CustomerID, x.Name, x.Role, x.Email, x.Phone, x.IM, x.Language, x.QuietHours}
				})
		}},
		{KindLines, len(set.Lines), func() (Tally, error) {
			return writeKind(w, set.Lines, storedLines(ctx, tx), func(x Line) string { return x.CircuitID }, Line.equal, upsertLine,
				func(x Line) []any {
					t := x.Thresholds
					return []any{x.CircuitID, x.CustomerID, null(x.ASite), x.ZEnd, null(x.UpstreamElement),
						x.SLAAvailabilityPct, t.LossPct, t.RTTMs, t.JitterMs, x.ProbeAddress,
						null(x.SNMPDevice), x.SNMPIfName, x.SNMPIfAlias, null(x.ZSite), encodeWatchers(x.Watchers), x.WatchAddress}
				})
		}},
	}
	for _, st := range steps {
		if st.n == 0 {
			continue
		}
		t, err := st.run()
		if err != nil {
			return nil, fmt.Errorf("%s: write %s: %w", set.File, st.kind, err)
		}
		counts[st.kind] = t
	}
	w.report()
	if opts.DryRun {
		return counts, nil
	}
	if counts.Changed() > 0 {
		// In the import's transaction: a reader that sees the new version
		// sees the rows (version.go).
		if _, err := tx.ExecContext(ctx, bumpVersion, time.Now().UnixMilli()); err != nil {
			return nil, fmt.Errorf("%s: inventory version: %w", set.File, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("%s: commit: %w", set.File, err)
	}
	return counts, nil
}

// null stores an absent optional reference as NULL, so the foreign key
// applies to it and ” never dangles.
func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

const (
	upsertCustomer = `INSERT INTO customers (id, name, tier, account_manager) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, tier = excluded.tier, account_manager = excluded.account_manager`
	upsertElement = `INSERT INTO upstream_elements (id, parent_id, kind, name, agent, snmp_address, snmp_profile)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET parent_id = excluded.parent_id, kind = excluded.kind, name = excluded.name,
			agent = excluded.agent, snmp_address = excluded.snmp_address, snmp_profile = excluded.snmp_profile`
	upsertSite = `INSERT INTO sites (id, customer_id, kind, name, lat, lon, grid_cell, agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id, kind = excluded.kind, name = excluded.name,
			lat = excluded.lat, lon = excluded.lon, grid_cell = excluded.grid_cell, agent = excluded.agent`
	upsertContact = `INSERT INTO contacts (id, customer_id, name, role, email, phone, im, language, quiet_hours)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id, name = excluded.name, role = excluded.role,
			email = excluded.email, phone = excluded.phone, im = excluded.im, language = excluded.language,
			quiet_hours = excluded.quiet_hours`
	upsertLine = `INSERT INTO lines (circuit_id, customer_id, a_end_site, z_end, upstream_element_id,
			sla_availability_pct, loss_pct, rtt_ms, jitter_ms, probe_address, snmp_device, snmp_ifname, snmp_ifalias,
			z_end_site, watchers, watch_address)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (circuit_id) DO UPDATE SET customer_id = excluded.customer_id, a_end_site = excluded.a_end_site,
			z_end = excluded.z_end, upstream_element_id = excluded.upstream_element_id,
			sla_availability_pct = excluded.sla_availability_pct, loss_pct = excluded.loss_pct,
			rtt_ms = excluded.rtt_ms, jitter_ms = excluded.jitter_ms, probe_address = excluded.probe_address,
			snmp_device = excluded.snmp_device, snmp_ifname = excluded.snmp_ifname, snmp_ifalias = excluded.snmp_ifalias,
			z_end_site = excluded.z_end_site, watchers = excluded.watchers, watch_address = excluded.watch_address`
)
