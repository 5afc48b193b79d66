package complaints

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/controller/store/sqldb"
)

// Options configure a Store. Zero values take the defaults below
// (controller/config/complaints.go documents them for operators).
type Options struct {
	// DB is the controller's database (migrated by controller/store/sqlite).
	DB *sql.DB
	// Now is the controller's clock (default time.Now).
	Now func() time.Time
	// Window is how far before a complaint evidence is looked for (default 24h).
	Window time.Duration
	// GridPrecision is the geohash length of a complaint's cell (default 7, ~150 m).
	GridPrecision int
	// MaxSiteDistanceM is how far (metres) the nearest site may be from a
	// complaint's coordinates to link it (default 2000).
	MaxSiteDistanceM float64
	// RepeatCount complaints in RepeatWindow of one customer, line or cell
	// make a repeat (defaults 3 in 30 days).
	RepeatCount  int
	RepeatWindow time.Duration
	// Recheck is how long after it was received or closed a complaint is
	// judged again by Reevaluate (default 7 days).
	Recheck time.Duration
	// Interval is Run's period between re-evaluations (default 1m).
	Interval time.Duration
	// MaxPerRound bounds the complaints one re-evaluation judges again
	// (default 5000, about a second of work).
	MaxPerRound int
	// Points queues `complaint` points for InfluxDB (points.go); nil: none.
	Points Points
	// Compare attaches the tests on which our network was behind a
	// competitor in the complaint's cell as evidence (compare.go); nil: none.
	Compare Comparer
}

func (o *Options) setDefaults() error {
	if o.DB == nil {
		return errors.New("complaints: no database")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Window == 0 {
		o.Window = 24 * time.Hour
	}
	if o.GridPrecision == 0 {
		o.GridPrecision = 7
	}
	if o.GridPrecision < 1 || o.GridPrecision > 12 {
		return fmt.Errorf("complaints: grid precision %d is not 1..12", o.GridPrecision)
	}
	if o.MaxSiteDistanceM == 0 {
		o.MaxSiteDistanceM = 2000
	}
	if o.RepeatCount == 0 {
		o.RepeatCount = 3
	}
	if o.RepeatWindow == 0 {
		o.RepeatWindow = 30 * 24 * time.Hour
	}
	if o.Recheck == 0 {
		o.Recheck = 7 * 24 * time.Hour
	}
	if o.Interval == 0 {
		o.Interval = time.Minute
	}
	if o.MaxPerRound == 0 {
		o.MaxPerRound = 5000
	}
	return nil
}

// Store keeps complaints and their verdicts in the controller's database.
type Store struct {
	db  *sql.DB
	o   Options
	log *slog.Logger
	m   *metrics
}

// New returns a Store; reg may be nil (command-line tools).
func New(o Options, log *slog.Logger, reg prometheus.Registerer) (*Store, error) {
	if err := o.setDefaults(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Store{db: o.DB, o: o, log: log, m: newMetrics(reg)}, nil
}

// Outcome is what Put did with one complaint.
type Outcome string

// Outcomes of Put.
const (
	Created   Outcome = "created"
	Updated   Outcome = "updated"
	Unchanged Outcome = "unchanged"
)

// Summary counts Put's outcomes.
type Summary struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// Add adds another summary's counts.
func (s *Summary) Add(o Summary) {
	s.Created += o.Created
	s.Updated += o.Updated
	s.Unchanged += o.Unchanged
}

// Put stores complaints (checked by the caller with Intake.Check), links
// and judges the new and changed ones, and updates repeats, all in one
// transaction. A complaint id already stored with the same fields is
// unchanged; with other fields, updated (never a second row). A later
// complaint of the same id in one call wins.
func (s *Store) Put(ctx context.Context, ins []Intake) (Summary, []Outcome, error) {
	return s.put(ctx, ins, nil)
}

// put is Put; with bulk, the inventory is read once for the whole import
// and the repeats are not recounted but the touched keys added to
// bulk.keys, for Bulk.Finish.
func (s *Store) put(ctx context.Context, ins []Intake, bulk *Bulk) (Summary, []Outcome, error) {
	var sum Summary
	outs := make([]Outcome, len(ins))
	for i := range ins {
		if err := ins[i].Check(); err != nil {
			return sum, nil, fmt.Errorf("complaint %d: %w", i, err)
		}
	}
	now := s.o.Now()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return sum, nil, err
	}
	defer tx.Rollback()
	var deferred keySet
	var inv *inventory
	var lines *lineCache
	if bulk != nil && !sqldb.Postgres(s.db) {
		// A bulk import walks indexes far larger than SQLite's default
		// 2 MB page cache: without a larger one a quarter of its time
		// was reading pages back from the OS. Per connection; the
		// import command has its own.
		if _, err := tx.ExecContext(ctx, `PRAGMA cache_size = -65536`); err != nil {
			return sum, nil, err
		}
	}
	if bulk != nil {
		if bulk.inv == nil {
			if bulk.inv, err = loadInventory(ctx, tx); err != nil {
				return sum, nil, err
			}
		}
		deferred, inv, lines = bulk.keys, bulk.inv, bulk.lines
	}
	q := newStmtCache(tx)
	defer q.Close()
	ev := s.newEvaluator(q, inv, lines)
	stored := map[string]string{} // id → intake hash in the database ("" none)
	latest := map[string]string{} // id → hash of its latest complaint in ins
	last := map[string]int{}      // id → its last complaint in ins, the one stored
	if err := storedHashes(ctx, q, ins, stored); err != nil {
		return sum, nil, err
	}
	for i := range ins {
		in := &ins[i]
		h := in.hash()
		prev, seen := latest[in.ID]
		if !seen {
			prev = stored[in.ID]
		}
		switch {
		case prev == "":
			outs[i] = Created
			sum.Created++
		case prev == h:
			outs[i] = Unchanged
			sum.Unchanged++
		default:
			outs[i] = Updated
			sum.Updated++
		}
		latest[in.ID], last[in.ID] = h, i
	}
	items := make([]evalItem, 0, len(last))
	for i := range ins {
		id := ins[i].ID
		if last[id] == i && latest[id] != stored[id] {
			items = append(items, evalItem{id: id, in: &ins[i], hash: latest[id], fresh: stored[id] == ""})
		}
	}
	if err := ev.evaluate(ctx, items, now, deferred); err != nil {
		return sum, nil, err
	}
	if bulk != nil {
		bulk.written += len(items)
	}
	queued, err := s.queuePoints(ctx, tx, ev)
	if err != nil {
		return sum, nil, err
	}
	if err := tx.Commit(); err != nil {
		return sum, nil, err
	}
	s.committed(queued)
	s.m.intake.WithLabelValues(string(Created)).Add(float64(sum.Created))
	s.m.intake.WithLabelValues(string(Updated)).Add(float64(sum.Updated))
	s.m.intake.WithLabelValues(string(Unchanged)).Add(float64(sum.Unchanged))
	return sum, outs, nil
}

// storedHashes sets stored[id] to the intake hash in the database of
// every id of ins ("" when new): one statement per 500 ids instead of one
// per row.
func storedHashes(ctx context.Context, q querier, ins []Intake, stored map[string]string) error {
	ids := make([]any, 0, len(ins))
	for i := range ins {
		if _, ok := stored[ins[i].ID]; !ok {
			stored[ins[i].ID] = ""
			ids = append(ids, ins[i].ID)
		}
	}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		rows, err := q.QueryContext(ctx, `SELECT id, intake_hash FROM complaints WHERE id IN (?`+
			strings.Repeat(`, ?`, n-1)+`)`, ids[:n]...)
		if err != nil {
			return err
		}
		ids = ids[n:]
		for rows.Next() {
			var id, h string
			if err := rows.Scan(&id, &h); err != nil {
				rows.Close()
				return err
			}
			stored[id] = h
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// upsertComplaint writes a complaint's intake and its evaluation in one
// statement; a stored complaint keeps created_at and its repeat flag
// (updateRepeats owns that).
const upsertComplaint = `INSERT INTO complaints (id, received_at, closed_at, customer_id, phone, circuit_id, customer_name,
		address, lat, lon, category, text, intake_hash, created_at, updated_at,
		linked_customer, linked_by, site_id, grid_cell, lines, verdict, evidence, recovered_at, evaluated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (id) DO UPDATE SET received_at = excluded.received_at, closed_at = excluded.closed_at,
		customer_id = excluded.customer_id, phone = excluded.phone, circuit_id = excluded.circuit_id,
		customer_name = excluded.customer_name, address = excluded.address, lat = excluded.lat, lon = excluded.lon,
		category = excluded.category, text = excluded.text, intake_hash = excluded.intake_hash,
		updated_at = excluded.updated_at, linked_customer = excluded.linked_customer, linked_by = excluded.linked_by,
		site_id = excluded.site_id, grid_cell = excluded.grid_cell, lines = excluded.lines, verdict = excluded.verdict,
		evidence = excluded.evidence, recovered_at = excluded.recovered_at, evaluated_at = excluded.evaluated_at`

// intakeArgs are upsertComplaint's first 15 arguments.
func intakeArgs(in *Intake, hash string, now time.Time) []any {
	var closed, lat, lon any
	if in.ClosedAt != nil {
		closed = in.ClosedAt.UnixMilli()
	}
	if in.Lat != nil {
		lat, lon = *in.Lat, *in.Lon
	}
	return []any{in.ID, in.ReceivedAt.UnixMilli(), closed, in.CustomerID, in.Phone,
		in.CircuitID, in.CustomerName, in.Address, lat, lon, string(in.Category), in.Text, hash,
		now.UnixMilli(), now.UnixMilli()}
}

// ErrNotFound is an unknown complaint id, or one outside the caller's scope.
var ErrNotFound = errors.New("complaint not found")

const complaintColumns = `id, received_at, closed_at, customer_id, phone, circuit_id, customer_name, address, lat, lon,
	category, text, linked_customer, linked_by, site_id, grid_cell, lines, verdict, evidence, recovered_at, repeat,
	evaluated_at, created_at, updated_at`

type scanner interface{ Scan(...any) error }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func optTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}

func scanComplaint(sc scanner) (Complaint, error) {
	var c Complaint
	var received, created, updated int64
	var closed, recovered, evaluated sql.NullInt64
	var lat, lon sql.NullFloat64
	var cat, verdict, lines, evidence string
	var repeat int
	if err := sc.Scan(&c.ID, &received, &closed, &c.CustomerID, &c.Phone, &c.CircuitID, &c.CustomerName, &c.Address,
		&lat, &lon, &cat, &c.Text, &c.LinkedCustomer, &c.LinkedBy, &c.Site, &c.Cell, &lines, &verdict, &evidence,
		&recovered, &repeat, &evaluated, &created, &updated); err != nil {
		return c, err
	}
	c.ReceivedAt, c.CreatedAt, c.UpdatedAt = fromMS(received), fromMS(created), fromMS(updated)
	c.ClosedAt, c.RecoveredAt, c.EvaluatedAt = optTime(closed), optTime(recovered), optTime(evaluated)
	if lat.Valid && lon.Valid {
		c.Lat, c.Lon = &lat.Float64, &lon.Float64
	}
	c.Category, c.Verdict, c.Repeat = Category(cat), Verdict(verdict), repeat == 1
	if err := json.Unmarshal([]byte(lines), &c.Lines); err != nil {
		return c, fmt.Errorf("complaint %s lines: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(evidence), &c.Evidence); err != nil {
		return c, fmt.Errorf("complaint %s evidence: %w", c.ID, err)
	}
	return c, nil
}

// Get returns one complaint with its evidence.
func (s *Store) Get(ctx context.Context, id string) (Complaint, error) {
	c, err := scanComplaint(s.db.QueryRowContext(ctx, `SELECT `+complaintColumns+` FROM complaints WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	return c, err
}

// Bulk stores a large import in many transactions (Put each batch) and
// recounts the repeats once, at Finish: recounting the keys of every batch
// would walk the same customers' histories again and again. Until Finish
// (or the next re-evaluation, which recounts what it touches) the import's
// complaints may lack their repeat flag.
type Bulk struct {
	s       *Store
	keys    keySet
	inv     *inventory // read by the first batch (inventory.go)
	lines   *lineCache
	written int // complaints created or updated
}

// Bulk starts a bulk import.
func (s *Store) Bulk() *Bulk { return &Bulk{s: s, keys: keySet{}, lines: newLineCache()} }

// Put stores, links and judges one batch, like Store.Put.
func (b *Bulk) Put(ctx context.Context, ins []Intake) (Summary, []Outcome, error) {
	return b.s.put(ctx, ins, b)
}

// Finish recounts the repeats of every key the batches touched (all
// complaints' repeats in one walk when the import wrote a tenth or more
// of them, recount.go).
func (b *Bulk) Finish(ctx context.Context) error {
	if len(b.keys) == 0 {
		return nil
	}
	tx, err := b.s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	q := newStmtCache(tx)
	defer q.Close()
	all, err := recountAllPays(ctx, q, b.written)
	if err != nil {
		return err
	}
	if all {
		err = b.s.recountAll(ctx, q)
	} else {
		err = b.s.updateRepeats(ctx, q, b.keys)
	}
	if err != nil {
		return err
	}
	b.keys, b.written = keySet{}, 0
	return tx.Commit()
}
