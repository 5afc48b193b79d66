package linehealth

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vantage-net/vantage/controller/linestate"
)

// Current line states go to the database (line_states) in the commit that
// stores the outputs which changed them, so the read model (readmodel.go)
// answers the API from committed facts, never from the detector under its
// lock. A line's row is rewritten when the line had a transition
// (provisional or final: the API shows the provisional state) or an event
// (its penalty changed); the penalty's decay between changes needs no
// write (linestate.Decay).

// stateRow is one line_states row, captured from the detector.
type stateRow struct {
	line string
	st   linestate.LineState
}

// touch marks a line whose row must be rewritten at the next commit; the
// caller holds mu.
func (mon *Monitor) touch(line string) {
	if mon.touched == nil {
		mon.touched = map[string]struct{}{}
	}
	mon.touched[line] = struct{}{}
}

// captureStates reads the touched lines' states for the commit being
// taken; the caller holds mu. Capturing under the same lock as the
// outputs keeps rows and outputs of one commit consistent.
func (mon *Monitor) captureStates() []stateRow {
	rows := make([]stateRow, 0, len(mon.touched))
	for line := range mon.touched {
		if st, ok := mon.det.State(line); ok {
			rows = append(rows, stateRow{line, st})
		}
	}
	clear(mon.touched)
	return rows
}

// resyncStates marks every line the Monitor watches, and has the next
// commit replace line_states whole: after a restore the table must hold
// exactly the restored lines (forgetUnknown may have dropped some); a
// partition's Monitor replaces its own lines' rows only.
func (mon *Monitor) resyncStates() {
	mon.mu.Lock()
	defer mon.mu.Unlock()
	for line := range mon.lines {
		mon.touch(line)
	}
	mon.pend.resync = true
}

const upsertState = `INSERT INTO line_states (circuit_id, state, since, penalty, penalty_at, half_life_ms, reuse, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (circuit_id) DO UPDATE SET state = excluded.state, since = excluded.since, penalty = excluded.penalty,
		penalty_at = excluded.penalty_at, half_life_ms = excluded.half_life_ms, reuse = excluded.reuse,
		updated_at = excluded.updated_at`

// storeStates writes rows inside tx, later rows of a line superseding
// earlier ones; resync first empties the table. Rows are written in line
// order (a stable sort keeps a line's later rows after its earlier ones):
// two transactions on one PostgreSQL database then lock rows in the same
// order, and one waits for the other instead of both deadlocking.
func storeStates(ctx context.Context, tx *sql.Tx, rows []stateRow, resync bool, scope []string, now time.Time) error {
	rows = slices.Clone(rows)
	slices.SortStableFunc(rows, func(a, b stateRow) int { return strings.Compare(a.line, b.line) })
	switch {
	case resync && scope == nil:
		if _, err := tx.ExecContext(ctx, `DELETE FROM line_states`); err != nil {
			return fmt.Errorf("line states: %w", err)
		}
	case resync: // a partition's lines only (partition.go)
		ids, _ := json.Marshal(scope)
		if _, err := tx.ExecContext(ctx, `DELETE FROM line_states WHERE circuit_id IN (SELECT value FROM json_each(?))`, string(ids)); err != nil {
			return fmt.Errorf("line states: %w", err)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, upsertState)
	if err != nil {
		return fmt.Errorf("line states: %w", err)
	}
	defer st.Close()
	for _, r := range rows {
		d := r.st.Decay
		if _, err := st.ExecContext(ctx, r.line, r.st.State.String(), nullMS(r.st.Since), d.Value, nullMS(d.At),
			d.HalfLife.Milliseconds(), d.Reuse, ms(now)); err != nil {
			return fmt.Errorf("line state %s: %w", r.line, err)
		}
	}
	return nil
}
