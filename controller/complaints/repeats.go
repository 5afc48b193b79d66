package complaints

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"
)

// key is one place a complaint counts against: its customer, a line, or
// its grid cell.
type key struct{ kind, key string }

type keySet map[key]bool

// keyRow is a complaint_keys row.
type keyRow struct {
	k  key
	at int64 // received_at
	id string
}

// rewriteKeys deletes a complaint's keys, adds those of its new link to
// rows (written by insertKeys), and returns old and new together (both
// need their repeats recounted).
func (s *Store) rewriteKeys(ctx context.Context, q querier, id string, received time.Time, l link, fresh bool, rows *[]keyRow) (keySet, error) {
	ks := keySet{}
	if !fresh {
		if err := dropKeys(ctx, q, id, ks); err != nil {
			return nil, err
		}
	}
	add := func(k key) {
		ks[k] = true
		*rows = append(*rows, keyRow{k: k, at: received.UnixMilli(), id: id})
	}
	if l.customer != "" {
		add(key{"customer", l.customer})
	}
	for _, line := range l.lines {
		add(key{"line", line})
	}
	if l.cell != "" {
		add(key{"cell", l.cell})
	}
	if l.customer == "" && len(l.lines) == 0 && l.cell == "" && !fresh {
		// Counted against nothing now: updateRepeats walks only the
		// complaints of a key, so it would never clear this one's flag.
		if _, err := q.ExecContext(ctx, `UPDATE complaints SET repeat = 0 WHERE id = ? AND repeat = 1`, id); err != nil {
			return nil, err
		}
	}
	return ks, nil
}

// insertKeys writes the keys of a transaction's complaints in primary key
// order, a hundred rows a statement: in the order of the complaints they
// were each a seek into a different part of the index, and one statement
// each.
func insertKeys(ctx context.Context, q querier, rows []keyRow) error {
	slices.SortFunc(rows, func(a, b keyRow) int {
		return cmp.Or(strings.Compare(a.k.kind, b.k.kind), strings.Compare(a.k.key, b.k.key), cmp.Compare(a.at, b.at),
			strings.Compare(a.id, b.id))
	})
	const per = 100
	args := make([]any, 0, 4*per)
	for len(rows) > 0 {
		n := min(len(rows), per)
		args = args[:0]
		for _, r := range rows[:n] {
			args = append(args, r.id, r.k.kind, r.k.key, r.at)
		}
		stmt := `INSERT INTO complaint_keys (complaint_id, kind, key, received_at) VALUES (?, ?, ?, ?)` +
			strings.Repeat(`, (?, ?, ?, ?)`, n-1) + ` ON CONFLICT DO NOTHING`
		if _, err := q.ExecContext(ctx, stmt, args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// dropKeys deletes a complaint's keys, adding them to ks.
func dropKeys(ctx context.Context, q querier, id string, ks keySet) error {
	rows, err := q.QueryContext(ctx, `SELECT kind, key FROM complaint_keys WHERE complaint_id = ?`, id)
	if err != nil {
		return err
	}
	for rows.Next() {
		var k key
		if err := rows.Scan(&k.kind, &k.key); err != nil {
			rows.Close()
			return err
		}
		ks[k] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `DELETE FROM complaint_keys WHERE complaint_id = ?`, id)
	return err
}

// updateRepeats recounts the complaints of the touched keys. A complaint
// is a repeat when, counting itself, RepeatCount complaints of one of its
// keys were received in the RepeatWindow up to its own receipt: the
// third complaint in 30 days is a repeat, the first two are not, and a
// complaint imported late into the past is counted where it happened.
func (s *Store) updateRepeats(ctx context.Context, q querier, touched keySet) error {
	type state struct {
		flag          bool // repeat by one of the touched keys
		walked, nkeys int  // touched keys seen, keys in all
		cur           bool // as stored
	}
	st := map[string]*state{}
	window := s.o.RepeatWindow.Milliseconds()
	for k := range touched {
		rows, err := q.QueryContext(ctx, `SELECT k.complaint_id, k.received_at, c.repeat,
				(SELECT count(*) FROM complaint_keys k2 WHERE k2.complaint_id = k.complaint_id)
			FROM complaint_keys k JOIN complaints c ON c.id = k.complaint_id
			WHERE k.kind = ? AND k.key = ? ORDER BY k.received_at, k.complaint_id`, k.kind, k.key)
		if err != nil {
			return err
		}
		var ids []string
		var at []int64
		for rows.Next() {
			var id string
			var t int64
			var cur, n int
			if err := rows.Scan(&id, &t, &cur, &n); err != nil {
				rows.Close()
				return err
			}
			x := st[id]
			if x == nil {
				x = &state{nkeys: n, cur: cur == 1}
				st[id] = x
			}
			x.walked++
			ids, at = append(ids, id), append(at, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		lo := 0
		for i := range ids {
			for at[lo] <= at[i]-window {
				lo++
			}
			if i-lo+1 >= s.o.RepeatCount {
				st[ids[i]].flag = true
			}
		}
	}
	for id, x := range st {
		rep := x.flag
		if !rep && x.walked < x.nkeys {
			var err error
			if rep, err = s.repeatByOtherKeys(ctx, q, id, touched); err != nil {
				return err
			}
		}
		if rep == x.cur {
			continue
		}
		v := 0
		if rep {
			v = 1
		}
		if _, err := q.ExecContext(ctx, `UPDATE complaints SET repeat = ? WHERE id = ?`, v, id); err != nil {
			return err
		}
	}
	return nil
}

// repeatByOtherKeys counts id's keys that updateRepeats did not walk.
func (s *Store) repeatByOtherKeys(ctx context.Context, q querier, id string, walked keySet) (bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT kind, key, received_at FROM complaint_keys WHERE complaint_id = ?`, id)
	if err != nil {
		return false, err
	}
	type kt struct {
		k key
		t int64
	}
	var others []kt
	for rows.Next() {
		var x kt
		if err := rows.Scan(&x.k.kind, &x.k.key, &x.t); err != nil {
			rows.Close()
			return false, err
		}
		if !walked[x.k] {
			others = append(others, x)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, err
	}
	for _, x := range others {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM complaint_keys WHERE kind = ? AND key = ?
			AND received_at > ? AND received_at <= ?`, x.k.kind, x.k.key, x.t-s.o.RepeatWindow.Milliseconds(), x.t).Scan(&n); err != nil {
			return false, err
		}
		if n >= s.o.RepeatCount {
			return true, nil
		}
	}
	return false, nil
}

// Repeat is a customer, line or cell with RepeatCount or more complaints
// in the RepeatWindow up to now, with its history.
type Repeat struct {
	// Kind is customer, line or cell; Key its id (customer id, circuit id, geohash).
	Kind  string `json:"kind"`
	Key   string `json:"key"`
	Count int    `json:"count"` // complaints in the window
	// First and Last complaint received in the window.
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
	// History is every complaint of the key in the window, newest first.
	History []RepeatEntry `json:"history"`
}

// RepeatEntry is one complaint in a repeat's history.
type RepeatEntry struct {
	ID         string    `json:"id"`
	ReceivedAt time.Time `json:"received_at"`
	Category   Category  `json:"category"`
	Verdict    Verdict   `json:"verdict"`
	Customer   string    `json:"customer,omitempty"`
}

// Repeats lists the repeats at the Store's clock, ranked by count, then
// by the latest complaint (most recent first), counting only complaints
// whose customer sees reports true (an account manager's own).
func (s *Store) Repeats(ctx context.Context, sees func(customer string) bool, limit int) ([]Repeat, error) {
	now := s.o.Now()
	from, to := now.Add(-s.o.RepeatWindow).UnixMilli(), now.UnixMilli()
	// Only keys with RepeatCount complaints in the window, whoever's, are
	// read with their complaints: the visible ones are a subset, so no
	// repeat is lost, and the keys of one or two complaints (nearly all
	// of them) stay in SQLite. Reading every key's complaints into Go to
	// drop most of them cost 270 ms a call (p50) at 10,000 complaints a
	// month (bench/api).
	rows, err := s.db.QueryContext(ctx, `WITH hot AS (SELECT kind, key FROM complaint_keys
			WHERE received_at > ? AND received_at <= ? GROUP BY kind, key HAVING count(*) >= ?)
		SELECT k.kind, k.key, c.id, c.received_at, c.category, c.verdict, c.linked_customer
		FROM hot JOIN complaint_keys k ON k.kind = hot.kind AND k.key = hot.key
			JOIN complaints c ON c.id = k.complaint_id
		WHERE k.received_at > ? AND k.received_at <= ?
		ORDER BY k.kind, k.key, k.received_at DESC, c.id`, from, to, s.o.RepeatCount, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Repeat
	var cur *Repeat
	flush := func() {
		if cur != nil && cur.Count >= s.o.RepeatCount {
			out = append(out, *cur)
		}
		cur = nil
	}
	for rows.Next() {
		var k key
		var e RepeatEntry
		var t int64
		var cat, verdict string
		if err := rows.Scan(&k.kind, &k.key, &e.ID, &t, &cat, &verdict, &e.Customer); err != nil {
			return nil, err
		}
		if !sees(e.Customer) {
			continue
		}
		e.ReceivedAt, e.Category, e.Verdict = fromMS(t), Category(cat), Verdict(verdict)
		if cur == nil || cur.Kind != k.kind || cur.Key != k.key {
			flush()
			cur = &Repeat{Kind: k.kind, Key: k.key, Last: e.ReceivedAt}
		}
		cur.Count++
		cur.First = e.ReceivedAt
		cur.History = append(cur.History, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	flush()
	sortRepeats(out)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func sortRepeats(rs []Repeat) {
	slices.SortFunc(rs, func(a, b Repeat) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		if c := b.Last.Compare(a.Last); c != 0 {
			return c
		}
		return strings.Compare(a.Kind+"\x00"+a.Key, b.Kind+"\x00"+b.Key)
	})
}
