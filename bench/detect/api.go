package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"
)

// apiClient reads the controller's REST API (api_auth is off).
type apiClient struct {
	base string
	hc   *http.Client
}

func newAPIClient(base string) *apiClient {
	return &apiClient{base: base, hc: &http.Client{Timeout: 5 * time.Second}}
}

func (a *apiClient) get(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+path, nil)
	if err != nil {
		return err
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", path, resp.Status, body)
	}
	return json.Unmarshal(body, v)
}

// event is one stored line event (live until final; a retracted one
// counts nowhere).
type event struct {
	Kind      string    `json:"kind"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	DurationS float64   `json:"duration_s"`
	Retracted time.Time `json:"retracted"`
}

type lineDetail struct {
	ID     string  `json:"id"`
	State  string  `json:"state"`
	Events []event `json:"events"`
}

func (a *apiClient) line(ctx context.Context, id string) (lineDetail, error) {
	var d lineDetail
	err := a.get(ctx, "/api/v1/lines/"+id, &d)
	return d, err
}

// openIncidentFor reports whether an open incident lists the line.
func (a *apiClient) openIncidentFor(ctx context.Context, id string) (bool, error) {
	var body struct {
		Incidents []struct {
			Customers []struct {
				Lines []string `json:"lines"`
			} `json:"customers"`
		} `json:"incidents"`
	}
	if err := a.get(ctx, "/api/v1/incidents?state=open&limit=500", &body); err != nil {
		return false, err
	}
	for _, in := range body.Incidents {
		for _, c := range in.Customers {
			if slices.Contains(c.Lines, id) {
				return true, nil
			}
		}
	}
	return false, nil
}

// allUp waits until every line is up, as the controller sees it.
func (a *apiClient) allUp(ctx context.Context, ids []string) error {
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	return poll(ctx, 250*time.Millisecond, func() (bool, error) {
		var body struct {
			Lines []struct {
				ID    string `json:"id"`
				State string `json:"state"`
			} `json:"lines"`
		}
		if err := a.get(ctx, "/api/v1/lines?limit=1000", &body); err != nil {
			return false, nil // the API may not serve yet
		}
		up := 0
		for _, ln := range body.Lines {
			if want[ln.ID] && ln.State == "up" {
				up++
			}
		}
		return up == len(ids), nil
	})
}

// poll calls cond every step until it is true, fails, or ctx ends.
func poll(ctx context.Context, step time.Duration, cond func() (bool, error)) error {
	t := time.NewTicker(step)
	defer t.Stop()
	for {
		ok, err := cond()
		if err != nil || ok {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// incidentsSince counts the incidents (open or closed) that started at or
// after since and list one of lines. Incidents come newest first, so the
// first page of 500 holds every one of a run's last phase.
func (a *apiClient) incidentsSince(ctx context.Context, lines map[string]bool, since time.Time) (int, error) {
	var body struct {
		Incidents []struct {
			Start     time.Time `json:"start"`
			Customers []struct {
				Lines []string `json:"lines"`
			} `json:"customers"`
		} `json:"incidents"`
	}
	if err := a.get(ctx, "/api/v1/incidents?limit=500", &body); err != nil {
		return 0, err
	}
	n := 0
	for _, in := range body.Incidents {
		if in.Start.Before(since) {
			continue
		}
		if slices.ContainsFunc(in.Customers, func(c struct {
			Lines []string `json:"lines"`
		}) bool {
			return slices.ContainsFunc(c.Lines, func(id string) bool { return lines[id] })
		}) {
			n++
		}
	}
	return n, nil
}
