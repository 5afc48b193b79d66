package complaints

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vantage-net/vantage/controller/shipper"
)

// judgement is a complaint's verdict with its evidence.
type judgement struct {
	verdict   Verdict
	evidence  []Evidence
	recovered *time.Time
}

// window is where evidence about a complaint is looked for: from Window
// before it was received until it was closed, or now while it is open.
func (s *Store) window(in *Intake, now time.Time) (from, to time.Time) {
	from = in.ReceivedAt.Add(-s.o.Window)
	to = now
	if in.ClosedAt != nil {
		to = *in.ClosedAt
	}
	if to.Before(in.ReceivedAt) {
		to = in.ReceivedAt
	}
	return from, to
}

// judge decides the verdict from the evidence of every linked line and
// of the place's cells: confirmed when any line had an outage, a flap, an
// incident or is flapping; degraded when any was degraded or the cell had
// weak coverage (and none failed); not_observed when at least one line or
// cell is monitored and nothing was seen; not_monitored when none is. RecoveredAt is the latest end of
// the outages and incidents once all have ended.
func judge(evs []lineEvidence) judgement {
	j := judgement{verdict: NotMonitored, evidence: []Evidence{}}
	var failed, degraded, monitored, open bool
	var last time.Time
	for _, e := range evs {
		monitored = monitored || e.monitored
		open = open || e.open
		if e.had && e.lastEnd.After(last) {
			last = e.lastEnd
		}
		for _, it := range e.items {
			switch it.Kind {
			case "outage", "flap", "incident", "flapping":
				failed = true
			case "degraded", "weak_coverage":
				degraded = true
			}
		}
		j.evidence = append(j.evidence, e.items...)
	}
	switch {
	case failed:
		j.verdict = Confirmed
	case degraded:
		j.verdict = Degraded
	case monitored:
		j.verdict = NotObserved
	}
	if failed && !open && !last.IsZero() {
		j.recovered = &last
	}
	return j
}

// evaluator links and judges complaints inside one transaction.
type evaluator struct {
	s     *Store
	tx    querier
	res   *resolver
	lines *lineCache      // a bulk import's; nil: read per complaint
	keys  []keyRow        // complaint_keys rows to insert (insertKeys)
	pts   []shipper.Point // complaint points to queue with the transaction (points.go)
}

func (s *Store) newEvaluator(tx querier, inv *inventory, lines *lineCache) *evaluator {
	return &evaluator{s: s, tx: tx, res: newResolver(tx, s.o.GridPrecision, s.o.MaxSiteDistanceM, inv), lines: lines}
}

// evaluate links and judges the complaints ids, rewrites their keys and
// then their repeat flags (and those of complaints sharing a key); with
// deferred, it adds the keys there instead of recounting (Bulk).
func (e *evaluator) evaluate(ctx context.Context, items []evalItem, now time.Time, deferred keySet) error {
	touched := keySet{}
	for _, it := range items {
		keys, err := e.one(ctx, it, now)
		if err != nil {
			return fmt.Errorf("complaint %s: %w", it.id, err)
		}
		for k := range keys {
			touched[k] = true
		}
	}
	if err := insertKeys(ctx, e.tx, e.keys); err != nil {
		return err
	}
	e.keys = e.keys[:0]
	if deferred != nil {
		for k := range touched {
			deferred[k] = true
		}
		return nil
	}
	return e.s.updateRepeats(ctx, e.tx, touched)
}

// evalItem is a complaint to evaluate: its intake when the caller has it
// (else it is read), and fresh when it was created in this transaction
// (it has no keys yet).
type evalItem struct {
	id    string
	in    *Intake
	hash  string // with in: write the intake too (new or changed)
	fresh bool
}

// one evaluates one complaint and returns its keys, old and new.
func (e *evaluator) one(ctx context.Context, it evalItem, now time.Time) (keySet, error) {
	id := it.id
	var c Complaint
	if it.in != nil {
		c.Intake = *it.in
	} else {
		var err error
		c, err = scanComplaint(e.tx.QueryRowContext(ctx, `SELECT `+complaintColumns+` FROM complaints WHERE id = ?`, id))
		if err != nil {
			return nil, err
		}
	}
	l, err := e.res.resolve(ctx, &c.Intake)
	if err != nil {
		return nil, err
	}
	from, to := e.s.window(&c.Intake, now)
	evs := make([]lineEvidence, 0, len(l.lines))
	for _, line := range l.lines {
		ev, err := gatherLine(ctx, e.tx, e.lines, line, from, to)
		if err != nil {
			return nil, err
		}
		evs = append(evs, ev)
	}
	cells := []string{}
	for _, c := range []string{l.cell, l.siteCell} {
		if c != "" && (len(cells) == 0 || cells[0] != c) {
			cells = append(cells, c)
		}
	}
	if len(cells) > 0 {
		ev, err := e.res.gatherCells(ctx, cells, from, to)
		if err != nil {
			return nil, err
		}
		evs = append(evs, ev)
		if e.s.o.Compare != nil {
			if ev, err = e.res.gatherCompare(ctx, e.s.o.Compare, cells, from, to); err != nil {
				return nil, err
			}
			evs = append(evs, ev)
		}
	}
	j := judge(evs)
	if len(l.lines) == maxLinesPerComplaint {
		j.evidence = append(j.evidence, Evidence{Kind: "note",
			Note: fmt.Sprintf("judged on the customer's first %d lines only", maxLinesPerComplaint)})
	}
	lines := l.lines
	if lines == nil {
		lines = []string{}
	}
	linesJSON, _ := json.Marshal(lines)
	evJSON, _ := json.Marshal(j.evidence)
	var recovered any
	if j.recovered != nil {
		recovered = j.recovered.UnixMilli()
	}
	if c.Verdict != j.verdict || c.EvaluatedAt == nil {
		e.s.m.verdicts.WithLabelValues(string(j.verdict)).Inc()
	}
	if it.hash != "" {
		args := append(intakeArgs(it.in, it.hash, now), l.customer, l.by, l.site, l.cell, string(linesJSON),
			string(j.verdict), string(evJSON), recovered, now.UnixMilli())
		if _, err := e.tx.ExecContext(ctx, upsertComplaint, args...); err != nil {
			return nil, err
		}
	} else if _, err := e.tx.ExecContext(ctx, `UPDATE complaints SET linked_customer = ?, linked_by = ?, site_id = ?, grid_cell = ?,
		lines = ?, verdict = ?, evidence = ?, recovered_at = ?, evaluated_at = ? WHERE id = ?`,
		l.customer, l.by, l.site, l.cell, string(linesJSON), string(j.verdict), string(evJSON), recovered,
		now.UnixMilli(), id); err != nil {
		return nil, err
	}
	if err := e.trackPoint(ctx, id, pointTags{at: pointTime(id, c.ReceivedAt), customer: l.customer, grid: l.cell,
		category: string(c.Category), verdict: string(j.verdict)}, it.fresh); err != nil {
		return nil, err
	}
	return e.s.rewriteKeys(ctx, e.tx, id, c.ReceivedAt, l, it.fresh, &e.keys)
}

// Reevaluate judges again every complaint still open, or received or
// closed within Recheck, and every confirmed one whose outage or incident
// has not ended: line health's late evidence (a CPE's spooled results, an
// incident that closes) changes verdicts and recovery times after intake.
// One call evaluates at most MaxPerRound, those evaluated longest ago.
// It returns how many complaints were evaluated.
func (s *Store) Reevaluate(ctx context.Context) (int, error) {
	now := s.o.Now()
	since := now.Add(-s.o.Recheck).UnixMilli()
	// The least recently evaluated first, at most MaxPerRound: a large
	// import of recent complaints is worked through over several rounds
	// instead of one long one every interval.
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM complaints
		WHERE received_at >= ?1 OR closed_at >= ?1 OR closed_at IS NULL AND received_at >= ?2
			OR (verdict = 'confirmed' AND recovered_at IS NULL)
		ORDER BY evaluated_at, id LIMIT ?3`, since, now.Add(-s.o.RepeatWindow).UnixMilli(), s.o.MaxPerRound)
	if err != nil {
		return 0, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	// In batches, each its own transaction: the API and imports are not
	// held up behind one long write.
	const batch = 500
	for i := 0; i < len(ids); i += batch {
		j := min(i+batch, len(ids))
		if err := s.evaluateTx(ctx, ids[i:j], now); err != nil {
			return i, err
		}
	}
	return len(ids), nil
}

func (s *Store) evaluateTx(ctx context.Context, ids []string, now time.Time) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	q := newStmtCache(tx)
	defer q.Close()
	items := make([]evalItem, len(ids))
	for i, id := range ids {
		items[i] = evalItem{id: id}
	}
	ev := s.newEvaluator(q, nil, nil)
	if err := ev.evaluate(ctx, items, now, nil); err != nil {
		return err
	}
	queued, err := s.queuePoints(ctx, tx, ev)
	if err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.committed(queued)
	return nil
}

// Run re-evaluates every Interval until ctx ends. A failed round is
// logged and counted, and retried at the next.
func (s *Store) Run(ctx context.Context) {
	t := time.NewTicker(s.o.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if n, err := s.Reevaluate(ctx); err != nil && ctx.Err() == nil {
			s.m.evalErrs.Inc()
			s.log.Warn("complaint re-evaluation failed", "evaluated", n, "err", err)
		}
	}
}
