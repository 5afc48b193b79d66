package inventory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// maxDepth bounds walks up the element tree. Imports keep it a tree; the
// bound keeps a hand-edited database with a cycle from looping forever.
const maxDepth = 64

// one runs a single-row query, turning "no rows" into ErrNotFound.
func one[T any](ctx context.Context, db *sql.DB, scan func(scanner) (T, error), what, id, query string) (T, error) {
	x, err := scan(db.QueryRowContext(ctx, query, id))
	if errors.Is(err, sql.ErrNoRows) {
		return x, fmt.Errorf("%s %q: %w", what, id, ErrNotFound)
	}
	return x, err
}

// Customer implements Store.
func (s *SQLStore) Customer(ctx context.Context, id string) (Customer, error) {
	return one(ctx, s.db, scanCustomer, "customer", id, `SELECT `+customerCols+` FROM customers WHERE id = ?`)
}

// Customers implements Store.
func (s *SQLStore) Customers(ctx context.Context, p Page) ([]Customer, error) {
	return list(ctx, s.db, scanCustomer, `SELECT `+customerCols+` FROM customers WHERE id > ? ORDER BY id LIMIT ?`, p.After, p.limit())
}

// CustomersOfAccountManager implements Store.
func (s *SQLStore) CustomersOfAccountManager(ctx context.Context, manager string) ([]Customer, error) {
	return list(ctx, s.db, scanCustomer, `SELECT `+customerCols+` FROM customers WHERE account_manager = ? ORDER BY id`, manager)
}

// ContactsOfCustomer implements Store.
func (s *SQLStore) ContactsOfCustomer(ctx context.Context, customerID string) ([]Contact, error) {
	return list(ctx, s.db, scanContact, `SELECT `+contactCols+` FROM contacts WHERE customer_id = ? ORDER BY id`, customerID)
}

// Site implements Store.
func (s *SQLStore) Site(ctx context.Context, id string) (Site, error) {
	return one(ctx, s.db, scanSite, "site", id, `SELECT `+siteCols+` FROM sites WHERE id = ?`)
}

// Line implements Store.
func (s *SQLStore) Line(ctx context.Context, circuitID string) (Line, error) {
	return one(ctx, s.db, scanLine, "line", circuitID, `SELECT `+lineCols+` FROM lines WHERE circuit_id = ?`)
}

// Lines implements Store.
func (s *SQLStore) Lines(ctx context.Context, p Page) ([]Line, error) {
	return list(ctx, s.db, scanLine, `SELECT `+lineCols+` FROM lines WHERE circuit_id > ? ORDER BY circuit_id LIMIT ?`, p.After, p.limit())
}

// LinesOfCustomer implements Store.
func (s *SQLStore) LinesOfCustomer(ctx context.Context, customerID string) ([]Line, error) {
	return list(ctx, s.db, scanLine, `SELECT `+lineCols+` FROM lines WHERE customer_id = ? ORDER BY circuit_id`, customerID)
}

// LinesUnder implements Store. UNION (not UNION ALL) in the walk down stops
// at an element already seen, so even a corrupted tree terminates.
func (s *SQLStore) LinesUnder(ctx context.Context, elementID string) ([]Line, error) {
	if _, err := s.Element(ctx, elementID); err != nil {
		return nil, err
	}
	return list(ctx, s.db, scanLine, `WITH RECURSIVE below(id) AS (
			SELECT ? UNION SELECT e.id FROM upstream_elements e JOIN below ON e.parent_id = below.id)
		SELECT `+lineCols+` FROM lines WHERE upstream_element_id IN (SELECT id FROM below) ORDER BY circuit_id`, elementID)
}

// Element implements Store.
func (s *SQLStore) Element(ctx context.Context, id string) (Element, error) {
	return one(ctx, s.db, scanElement, "element", id, `SELECT `+elementCols+` FROM upstream_elements WHERE id = ?`)
}

// ElementPath implements Store.
func (s *SQLStore) ElementPath(ctx context.Context, elementID string) ([]Element, error) {
	path, err := list(ctx, s.db, scanElement, `WITH RECURSIVE up(eid, pid, depth) AS (
			SELECT id, parent_id, 0 FROM upstream_elements WHERE id = ?
			UNION ALL
			SELECT e.id, e.parent_id, up.depth + 1
			FROM upstream_elements e JOIN up ON e.id = up.pid WHERE up.depth < ?)
		SELECT `+elementCols+` FROM up JOIN upstream_elements ON upstream_elements.id = up.eid ORDER BY depth DESC`, elementID, maxDepth)
	if err == nil && len(path) == 0 {
		err = fmt.Errorf("element %q: %w", elementID, ErrNotFound)
	}
	return path, err
}

// LowestCommonElement implements Store. It fetches the root→leaf path of
// each distinct upstream element in one query (300 lines behind one card are
// at most 300 ports, four levels each) and takes their common prefix.
func (s *SQLStore) LowestCommonElement(ctx context.Context, circuitIDs ...string) (Element, bool, error) {
	if len(circuitIDs) == 0 {
		return Element{}, false, nil
	}
	ids, _ := json.Marshal(circuitIDs) // json_each takes any number of ids in one parameter
	rows, err := s.db.QueryContext(ctx, `SELECT circuit_id, COALESCE(upstream_element_id, '')
		FROM lines WHERE circuit_id IN (SELECT value FROM json_each(?))`, string(ids))
	if err != nil {
		return Element{}, false, err
	}
	elemOf := map[string]string{}
	for rows.Next() {
		var c, e string
		if err := rows.Scan(&c, &e); err != nil {
			rows.Close()
			return Element{}, false, err
		}
		elemOf[c] = e
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Element{}, false, err
	}
	var missing []string
	starts := map[string]bool{}
	for _, c := range circuitIDs {
		e, ok := elemOf[c]
		if !ok {
			missing = append(missing, fmt.Sprintf("%q", c))
			continue
		}
		if e == "" {
			return Element{}, false, nil // a line with no upstream element shares nothing
		}
		starts[e] = true
	}
	if len(missing) > 0 {
		return Element{}, false, fmt.Errorf("lines %s: %w", strings.Join(missing, ", "), ErrNotFound)
	}
	paths, err := s.paths(ctx, starts)
	if err != nil {
		return Element{}, false, err
	}
	id := LowestCommon(paths)
	if id == "" {
		return Element{}, false, nil
	}
	e, err := s.Element(ctx, id)
	return e, err == nil, err
}

// paths returns the root→leaf id path of each start element.
func (s *SQLStore) paths(ctx context.Context, starts map[string]bool) ([][]string, error) {
	list := make([]string, 0, len(starts))
	for e := range starts {
		list = append(list, e)
	}
	arg, _ := json.Marshal(list)
	rows, err := s.db.QueryContext(ctx, `WITH RECURSIVE up(start, id, parent_id, depth) AS (
			SELECT id, id, parent_id, 0 FROM upstream_elements WHERE id IN (SELECT value FROM json_each(?))
			UNION ALL
			SELECT up.start, e.id, e.parent_id, up.depth + 1
			FROM upstream_elements e JOIN up ON e.id = up.parent_id WHERE up.depth < ?)
		SELECT start, id, depth FROM up`, string(arg), maxDepth)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type step struct {
		id    string
		depth int
	}
	up := map[string][]step{}
	for rows.Next() {
		var start string
		var st step
		if err := rows.Scan(&start, &st.id, &st.depth); err != nil {
			return nil, err
		}
		up[start] = append(up[start], st)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var paths [][]string
	for _, steps := range up {
		sort.Slice(steps, func(i, j int) bool { return steps[i].depth > steps[j].depth }) // root first
		p := make([]string, len(steps))
		for i, st := range steps {
			p[i] = st.id
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// LowestCommon returns the last id shared by every root→leaf path, or "" when
// they share none (or there are none). Exported for the detector, which may
// hold paths in memory and group lines without a query.
func LowestCommon(paths [][]string) string {
	if len(paths) == 0 {
		return ""
	}
	n := len(paths[0])
	for _, p := range paths[1:] {
		i := 0
		for i < n && i < len(p) && p[i] == paths[0][i] {
			i++
		}
		n = i
	}
	if n == 0 {
		return ""
	}
	return paths[0][n-1]
}
