package linehealth

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/vantage-net/vantage/controller/incident"
)

// storeGrouping writes why an incident is rooted at a shared element and
// which incident a merged one became part of (migration 0013), in the
// commit's transaction.
func storeGrouping(ctx context.Context, tx *sql.Tx, in *incident.Incident) error {
	var grouping, merged any
	if in.Grouping != nil {
		b, err := json.Marshal(in.Grouping)
		if err != nil {
			return err
		}
		grouping = string(b)
	}
	if in.MergedInto != 0 {
		merged = in.MergedInto
	}
	_, err := tx.ExecContext(ctx, `UPDATE incidents SET grouping = ?, merged_into = ? WHERE id = ?`, grouping, merged, in.ID)
	return err
}

func scanGrouping(in *incident.Incident, grouping sql.NullString, merged sql.NullInt64) error {
	if grouping.Valid {
		var g incident.Grouping
		if err := json.Unmarshal([]byte(grouping.String), &g); err != nil {
			return fmt.Errorf("incident %d grouping: %w", in.ID, err)
		}
		in.Grouping = &g
	}
	in.MergedInto = merged.Int64
	return nil
}
