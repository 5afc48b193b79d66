package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/controller/complaints"
	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/internal/fleetsim"
)

// seeded is what seed wrote, for the report and for picking ids to ask for.
type seeded struct {
	lines, customers       []string
	events, open           int
	incidents, incLines    int
	complaints             int
	managerLines           []string // the timed account manager's lines
	managerCustomers       int
	incidentIDs            []int64
	took                   time.Duration
	eventsInLast24h, flaps int
}

// manager is the account manager whose token the scoped calls use.
const manager = "am-00"

func managerOf(customerIndex, managers int) string {
	return fmt.Sprintf("am-%02d", customerIndex%managers)
}

// batch inserts rows with multi-row INSERTs of up to 200 rows (one round
// trip each on PostgreSQL, where one row per statement costs minutes).
type batch struct {
	tx     *sql.Tx
	head   string // INSERT INTO t (cols) VALUES
	tail   string // ON CONFLICT … or ""
	cols   int
	args   []any
	rows   int
	ctx    context.Context
	placed string
	// after is flushed first (rows this batch's rows refer to).
	after *batch
}

func newBatch(ctx context.Context, tx *sql.Tx, head, tail string, cols int) *batch {
	return &batch{ctx: ctx, tx: tx, head: head, tail: tail, cols: cols,
		placed: "(?" + strings.Repeat(",?", cols-1) + ")"}
}

func (b *batch) add(vals ...any) error {
	b.args = append(b.args, vals...)
	if b.rows++; b.rows == 200 {
		return b.flush()
	}
	return nil
}

func (b *batch) flush() error {
	if b.rows == 0 {
		return nil
	}
	if b.after != nil {
		if err := b.after.flush(); err != nil {
			return err
		}
	}
	q := b.head + " " + b.placed + strings.Repeat(","+b.placed, b.rows-1) + " " + b.tail
	_, err := b.tx.ExecContext(b.ctx, q, b.args...)
	b.args, b.rows = b.args[:0], 0
	if err != nil {
		return fmt.Errorf("%s: %w", b.head, err)
	}
	return nil
}

type event struct {
	line       int
	kind       string
	start, end time.Time
	open       bool
}

// seedData writes everything but the inventory and the tokens (imported
// by the shipped binary before) into db: account managers, line states,
// events, incidents and complaints, as of now.
func seedData(ctx context.Context, db *sql.DB, c config, p *fleetsim.Plan, now time.Time) (*seeded, error) {
	t0 := time.Now()
	s := &seeded{}
	rng := rand.New(rand.NewSource(c.seed))
	custIdx := map[string]int{}
	lineCust := make([]string, len(p.Lines))
	for i, l := range p.Lines {
		s.lines = append(s.lines, l.ID)
		lineCust[i] = l.Customer
		if _, ok := custIdx[l.Customer]; !ok {
			custIdx[l.Customer] = len(s.customers)
			s.customers = append(s.customers, l.Customer)
		}
		if managerOf(custIdx[l.Customer], c.managers) == manager {
			s.managerLines = append(s.managerLines, l.ID)
		}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	// Account managers: customer i belongs to am-(i mod managers).
	up, err := tx.PrepareContext(ctx, `UPDATE customers SET account_manager = ? WHERE id = ?`)
	if err != nil {
		return nil, err
	}
	for i, id := range s.customers {
		if _, err := up.ExecContext(ctx, managerOf(i, c.managers), id); err != nil {
			return nil, fmt.Errorf("account managers: %w", err)
		}
		if managerOf(i, c.managers) == manager {
			s.managerCustomers++
		}
	}
	up.Close()
	nowMS := now.UnixMilli()
	// Events: a twentieth of the lines take 40 % of them (hot lines,
	// ~90 a month at the field's rate), the rest spread evenly.
	total := int(float64(len(p.Lines)) * c.eventsPerLine * float64(c.days) / 30)
	hot := rng.Perm(len(p.Lines))[:max(1, len(p.Lines)/20)]
	span := time.Duration(c.days) * 24 * time.Hour
	evs := make([]event, 0, total+len(p.Lines)/1000)
	for range total {
		li := rng.Intn(len(p.Lines))
		if rng.Intn(10) < 4 {
			li = hot[rng.Intn(len(hot))]
		}
		e := event{line: li, kind: "flap"}
		d := time.Duration(2+rng.Intn(28)) * time.Second
		switch r := rng.Intn(20); {
		case r < 2:
			e.kind, d = "outage", time.Duration(60+rng.Intn(3540))*time.Second
		case r == 2:
			e.kind, d = "degraded", time.Duration(300+rng.Intn(3300))*time.Second
		}
		e.start = now.Add(-time.Duration(rng.Int63n(int64(span))))
		e.end = e.start.Add(d)
		if e.end.After(now) {
			e.end = now
		}
		evs = append(evs, e)
	}
	// Outages still open: one line in a thousand, down for up to 6 hours.
	for i := range len(p.Lines) / 1000 {
		li := (i*7919 + 13) % len(p.Lines)
		evs = append(evs, event{line: li, kind: "outage", start: now.Add(-time.Duration(1+rng.Intn(360)) * time.Minute), open: true})
	}
	sort.Slice(evs, func(i, j int) bool { return evs[i].start.Before(evs[j].start) })
	eb := newBatch(ctx, tx, `INSERT INTO line_events (circuit_id, kind, started_at, ended_at, duration_s, loss_pct,
		recorded_at, final, final_at, retracted_at, revisions, cause, cause_note) VALUES`, `ON CONFLICT DO NOTHING`, 13)
	causes := []string{"line", "line", "line", "line", "line", "line", "line", "customer_premises", "customer_premises", "unknown"}
	state := make([]string, len(p.Lines))
	for _, e := range evs {
		var end, dur, finalAt, retracted any
		final := 1
		if !e.open {
			end, dur = e.end.UnixMilli(), e.end.Sub(e.start).Seconds()
			if now.Sub(e.end) < time.Minute {
				final = 0 // live: within the detector's horizon
			} else {
				finalAt = e.end.Add(time.Minute).UnixMilli()
			}
		} else {
			final, s.open = 0, s.open+1
			state[e.line] = "down"
		}
		if now.Sub(e.start) < 24*time.Hour {
			s.eventsInLast24h++
			if rng.Intn(200) == 0 {
				retracted = nowMS - int64(rng.Intn(3600_000))
			}
		}
		if e.kind == "flap" {
			s.flaps++
		}
		cause := causes[rng.Intn(len(causes))]
		loss := 100.0
		if e.kind == "degraded" {
			loss, cause = float64(5+rng.Intn(30)), ""
		}
		rec := e.start.UnixMilli()
		if end != nil {
			rec = end.(int64)
		}
		if err := eb.add(p.Lines[e.line].ID, e.kind, e.start.UnixMilli(), end, dur, loss, rec, final, finalAt, retracted, "[]",
			cause, "both ends lost each other"); err != nil {
			return nil, err
		}
		s.events++
	}
	if err := eb.flush(); err != nil {
		return nil, err
	}
	// Line states: every line has one, mostly up.
	sb := newBatch(ctx, tx, `INSERT INTO line_states (circuit_id, state, since, penalty, penalty_at, half_life_ms, reuse, updated_at) VALUES`, "", 8)
	for i, l := range p.Lines {
		st := state[i]
		if st == "" {
			st = []string{"up", "up", "up", "up", "up", "up", "up", "up", "flapping", "unknown"}[rng.Intn(10)]
		}
		since := nowMS - int64(rng.Intn(30*86400_000))
		if err := sb.add(l.ID, st, since, float64(rng.Intn(3000)), nowMS-int64(rng.Intn(600_000)), 900_000, 750.0, nowMS); err != nil {
			return nil, err
		}
	}
	if err := sb.flush(); err != nil {
		return nil, err
	}
	if err := seedIncidents(ctx, tx, s, p, lineCust, evs, now, rng); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	if err := seedComplaints(ctx, db, c, s, p, now, rng); err != nil {
		return nil, err
	}
	s.took = time.Since(t0)
	return s, nil
}

// seedIncidents makes one incident per outage (flapping for one flap in
// twenty), and every fiftieth outage a grouped one over 5–40 neighbouring
// lines (a card's or a PoP's), ids in order of start.
func seedIncidents(ctx context.Context, tx *sql.Tx, s *seeded, p *fleetsim.Plan, lineCust []string, evs []event, now time.Time, rng *rand.Rand) error {
	ib := newBatch(ctx, tx, `INSERT INTO incidents (id, kind, root_element, started_at, ended_at, lines, customers, timeline,
		root_path, updated_at, cause, cause_note) VALUES`, "", 12)
	lb := newBatch(ctx, tx, `INSERT INTO incident_lines (incident_id, circuit_id, customer_id) VALUES`, `ON CONFLICT DO NOTHING`, 3)
	lb.after = ib
	var id int64
	for _, e := range evs {
		kind := incident.Kind("outage")
		switch {
		case e.kind == "flap" && rng.Intn(20) == 0:
			kind = "flapping"
		case e.kind != "outage":
			continue
		}
		id++
		n, root := 1, ""
		if kind == "outage" && rng.Intn(50) == 0 {
			n, root = 5+rng.Intn(36), p.Lines[e.line].Card
		}
		var members []incident.Member
		var timeline []incident.Entry
		seen := map[string]int{}
		var custs []incident.Customer
		for k := range n {
			li := (e.line + k) % len(p.Lines)
			m := incident.Member{Line: p.Lines[li].ID, Customer: lineCust[li], Tier: "gold", Down: e.start.Add(time.Duration(k) * time.Second)}
			if !e.open {
				m.Up = e.end
			}
			members = append(members, m)
			timeline = append(timeline, incident.Entry{Time: m.Down, Line: m.Line, What: "down"})
			if i, ok := seen[m.Customer]; ok {
				custs[i].Lines = append(custs[i].Lines, m.Line)
			} else {
				seen[m.Customer] = len(custs)
				custs = append(custs, incident.Customer{ID: m.Customer, Tier: "gold", Lines: []string{m.Line}})
			}
		}
		var end any
		if !e.open {
			end = e.end.UnixMilli()
			for _, m := range members {
				timeline = append(timeline, incident.Entry{Time: e.end, Line: m.Line, What: "up"})
			}
			timeline = append(timeline, incident.Entry{Time: e.end, What: "closed"})
		}
		mj, _ := json.Marshal(members)
		cj, _ := json.Marshal(custs)
		tj, _ := json.Marshal(timeline)
		path := "[]"
		if root != "" {
			path = fmt.Sprintf(`[%q]`, root)
		}
		if err := ib.add(id, string(kind), root, e.start.UnixMilli(), end, string(mj), string(cj), string(tj), path,
			now.UnixMilli(), "line", "both ends lost each other"); err != nil {
			return err
		}
		for _, m := range members {
			if err := lb.add(id, m.Line, m.Customer); err != nil {
				return err
			}
			s.incLines++
		}
		s.incidentIDs = append(s.incidentIDs, id)
		s.incidents++
	}
	if err := ib.flush(); err != nil {
		return err
	}
	return lb.flush()
}

// seedComplaints puts c.complaints complaints over the history through
// complaints.Store (linked to their line, judged against its events).
func seedComplaints(ctx context.Context, db *sql.DB, c config, s *seeded, p *fleetsim.Plan, now time.Time, rng *rand.Rand) error {
	st, err := complaints.New(complaints.Options{DB: db, Now: func() time.Time { return now }}, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	if err != nil {
		return err
	}
	span := time.Duration(c.days) * 24 * time.Hour
	var batch []complaints.Intake
	for i := range c.complaints {
		l := p.Lines[rng.Intn(len(p.Lines))]
		batch = append(batch, complaints.Intake{ID: fmt.Sprintf("CP%07d", i), ReceivedAt: now.Add(-time.Duration(rng.Int63n(int64(span)))),
			CustomerID: l.Customer, CircuitID: l.ID, Category: complaints.LineInterruption, Text: "line drops several times a day"})
		if len(batch) == 1000 || i == c.complaints-1 {
			if _, _, err := st.Put(ctx, batch); err != nil {
				return fmt.Errorf("complaints: %w", err)
			}
			batch = batch[:0]
		}
	}
	s.complaints = c.complaints
	return nil
}
