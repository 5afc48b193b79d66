package linehealth

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"reflect"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/incident"
)

// incidentsBefore is Incidents as it was before it read in chunks with a
// SQL LIMIT: one query without a limit, read until the page was full.
// TestIncidentsSameAsBefore holds the chunked reads to its answers.
func incidentsBefore(ctx context.Context, rm *ReadModel, scope Scope, state string, before int64, limit int) ([]IncidentSummary, bool, error) {
	q := `SELECT ` + incidentColumns + ` FROM incidents WHERE (? = 0 OR id < ?)`
	args := []any{before, before}
	switch state {
	case "open":
		q += ` AND ended_at IS NULL`
	case "closed":
		q += ` AND ended_at IS NOT NULL`
	}
	if !scope.All() {
		q += ` AND EXISTS (SELECT 1 FROM incident_lines il WHERE il.incident_id = incidents.id
			AND il.customer_id IN (SELECT value FROM json_each(?)))`
		args = append(args, scope.jsonIDs())
	}
	rows, err := rm.db.QueryContext(ctx, q+` ORDER BY id DESC`, args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	out, more := []IncidentSummary{}, false
	for rows.Next() {
		in, err := scanIncident(rows)
		if err != nil {
			return nil, false, err
		}
		in, ok := scope.trimIncident(in)
		if !ok {
			continue
		}
		if len(out) == limit {
			more = true
			break
		}
		cs := in.Customers()
		if cs == nil {
			cs = []incident.Customer{}
		}
		out = append(out, IncidentSummary{ID: in.ID, Kind: in.Kind, State: in.State(), Root: in.Root, Start: in.Start,
			End: in.End, Lines: len(in.Members), Customers: cs, MergedInto: in.MergedInto})
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	rows.Close()
	ids := make([]int64, len(out))
	for i := range out {
		ids[i] = out[i].ID
	}
	causes, err := incidentCauses(ctx, rm.db, ids)
	if err != nil {
		return nil, false, err
	}
	for i := range out {
		d := causes[out[i].ID]
		out[i].Cause, out[i].CauseNote = string(d.Cause), d.Note
		if !scope.All() {
			out[i].CauseNote = ""
		}
	}
	return out, more, nil
}

// TestIncidentsSameAsBefore seeds 300 incidents (open and closed, one to
// four lines of customers C1, C2, C3 or none, causes) and some whose
// incident_lines name C3 while their members do not (the disagreement
// trimIncident hides, runs of them longer than a page), and checks that
// every page of every walk — all, open, closed; everyone, C1, C3, C1+C2;
// pages of 1, 2, 7, 50 and 1,000 — is exactly what the old unlimited query gave.
func TestIncidentsSameAsBefore(t *testing.T) {
	if incidentListColumns == incidentColumns {
		t.Fatal("incidentListColumns still read the timeline")
	}
	f := newFixture(t)
	ctx := context.Background()
	rng := rand.New(rand.NewSource(5))
	for id := int64(1); id <= 300; id++ {
		start := f.t0.Add(-time.Duration(301-id) * time.Hour)
		var members []incident.Member
		var lines []struct{ line, customer string }
		hidden := id%40 >= 30 // runs of ten: incident_lines say C3, the members do not
		for k := range 1 + rng.Intn(4) {
			c := []string{"C1", "C2", "C3", ""}[rng.Intn(4)]
			if hidden {
				c = "C2"
			}
			m := incident.Member{Line: fmt.Sprintf("X%d-%d", id, k), Customer: c, Down: start}
			members = append(members, m)
			lines = append(lines, struct{ line, customer string }{m.Line, c})
		}
		if hidden {
			lines = append(lines, struct{ line, customer string }{"ghost", "C3"})
		}
		var end any
		if rng.Intn(5) > 0 {
			end = ms(start.Add(time.Hour))
		}
		mj, _ := json.Marshal(members)
		tj, _ := json.Marshal([]incident.Entry{{Time: start, Line: members[0].Line, What: "down"}, {Time: start, What: "opened"}})
		if _, err := f.db.ExecContext(ctx, `INSERT INTO incidents (id, kind, started_at, ended_at, lines, customers, timeline, updated_at, cause, cause_note)
			VALUES (?, 'outage', ?, ?, ?, '[]', ?, ?, ?, 'why')`, id, ms(start), end, string(mj), string(tj), ms(start), []string{"line", "unknown"}[rng.Intn(2)]); err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			if _, err := f.db.ExecContext(ctx, `INSERT INTO incident_lines (incident_id, circuit_id, customer_id) VALUES (?, ?, ?)`, id, l.line, l.customer); err != nil {
				t.Fatal(err)
			}
		}
	}
	rm := f.reads(t)
	scopes := map[string]Scope{"all": AllCustomers, "C1": OnlyCustomers([]string{"C1"}), "C3": OnlyCustomers([]string{"C3"}),
		"C1+C2": OnlyCustomers([]string{"C1", "C2"})}
	for name, scope := range scopes {
		for _, state := range []string{"", "open", "closed"} {
			for _, limit := range []int{1, 2, 7, 50, 1000} {
				var before int64
				for page := 0; ; page++ {
					want, wantMore, err := incidentsBefore(ctx, rm, scope, state, before, limit)
					if err != nil {
						t.Fatal(err)
					}
					got, gotMore, err := rm.Incidents(ctx, scope, state, before, limit)
					if err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(got, want) || gotMore != wantMore {
						t.Fatalf("%s, state %q, pages of %d, page %d (before %d): %d incidents (more %v), want %d (more %v)",
							name, state, limit, page, before, len(got), gotMore, len(want), wantMore)
					}
					if !wantMore || len(want) == 0 {
						break
					}
					before = want[len(want)-1].ID
				}
			}
		}
	}
}
