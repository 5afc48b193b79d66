package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/url"
	"time"

	"github.com/vantage-net/vantage/controller/store/sqlite"
)

// seedHistory writes perLine past flaps and outages for every line into
// line_events, spread over the days before now but none in the last 25 h,
// so the API's 24-hour counts and event lists (what the checker compares)
// are the simulation's alone, while the 7- and 30-day availability that
// every list and detail call computes reads a month of history. The
// field's rate is 510,000 flaps a month over 50,000 lines (10 a line);
// the default 20 a line (1,000,000 events at 50,000 lines) doubles it.
func seedHistory(ctx context.Context, dbPath string, lines []string, days, perLine int, seed int64) (int, error) {
	db, err := sqlite.Open(ctx, dbPath, sqlite.Options{})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO line_events
		(circuit_id, kind, started_at, ended_at, duration_s, loss_pct, recorded_at, final, final_at) VALUES (?, ?, ?, ?, ?, 100, ?, 1, ?)`)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	rng := rand.New(rand.NewSource(seed))
	newest := time.Now().Add(-25 * time.Hour)
	span := time.Duration(days)*24*time.Hour - 25*time.Hour
	n := 0
	for _, id := range lines {
		for range perLine {
			kind, d := "flap", time.Duration(2+rng.Intn(28))*time.Second
			if rng.Intn(10) == 0 {
				kind, d = "outage", time.Duration(60+rng.Intn(3540))*time.Second
			}
			start := newest.Add(-time.Duration(rng.Int63n(int64(span))))
			end := start.Add(d)
			res, err := st.ExecContext(ctx, id, kind, start.UnixMilli(), end.UnixMilli(), d.Seconds(), end.UnixMilli(), end.UnixMilli())
			if err != nil {
				return n, fmt.Errorf("seed line_events: %w", err)
			}
			if k, _ := res.RowsAffected(); k == 1 {
				n++
			}
		}
	}
	return n, tx.Commit()
}

// timeHistoryCalls times, on lines with a month of history, the detail
// call and a list page of 100 (the web UI's) starting at a random line.
func timeHistoryCalls(ctx context.Context, base, token string, lines []string, calls int, seed int64, lat map[string][]time.Duration) error {
	rng := rand.New(rand.NewSource(seed))
	for range calls {
		id := lines[rng.Intn(len(lines))]
		for kind, path := range map[string]string{
			"detail-30d": "/api/v1/lines/" + url.PathEscape(id),
			"list-100":   "/api/v1/lines?limit=100&after=" + url.QueryEscape(id),
		} {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			start := time.Now()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			lat[kind] = append(lat[kind], time.Since(start))
			if err != nil || resp.StatusCode != http.StatusOK {
				return fmt.Errorf("GET %s: %d %v", path, resp.StatusCode, err)
			}
		}
	}
	return nil
}

// timeListPages pages through GET /api/v1/lines 1,000 at a time, as the
// checker does, timing each page.
func timeListPages(ctx context.Context, base, token string, lat map[string][]time.Duration) error {
	after := ""
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/lines?limit=1000&after="+url.QueryEscape(after), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		var page struct {
			Next string `json:"next"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		lat["list"] = append(lat["list"], time.Since(start))
		if err != nil || resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET /api/v1/lines: %d %v", resp.StatusCode, err)
		}
		if page.Next == "" {
			return nil
		}
		after = page.Next
	}
}
