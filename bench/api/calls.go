package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// timing is one call kind's latencies, with the load average around them.
type timing struct {
	name        string
	lat         []time.Duration
	bytes       int
	load0, load string
	// ctlCPU and dbCPU are the controller's and the PostgreSQL server's
	// CPU seconds over the calls (dbCPU 0 on SQLite, in the controller).
	ctlCPU, dbCPU float64
}

// cpuPerCall is ms of CPU per call.
func (t *timing) cpuPerCall(s float64) float64 { return 1000 * s / float64(max(1, len(t.lat))) }

func (t *timing) pct(p int) time.Duration {
	if len(t.lat) == 0 {
		return 0
	}
	s := slices.Clone(t.lat)
	slices.Sort(s)
	i := min(len(s)-1, (len(s)*p+99)/100-1)
	return s[max(0, i)]
}

type client struct {
	base string
	http *http.Client
	// ctlPID and dbPID are whose CPU each timing records (dbPID 0: none).
	ctlPID, dbPID int
}

func (c *client) start(name string) *timing {
	return &timing{name: name, load0: loadavg(), ctlCPU: treeCPU(c.ctlPID), dbCPU: treeCPU(c.dbPID)}
}

func (c *client) end(t *timing) {
	t.load, t.ctlCPU, t.dbCPU = loadavg(), treeCPU(c.ctlPID)-t.ctlCPU, treeCPU(c.dbPID)-t.dbCPU
}

// get fetches path with token and returns the body and the time to the
// last byte.
func (c *client) get(ctx context.Context, token, path string) ([]byte, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, 0, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	if err != nil {
		return nil, d, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, d, fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	return body, d, nil
}

// walk pages through a list (cursor is the parameter the answer's next
// goes into) up to pages pages, timing each.
func (c *client) walk(ctx context.Context, name, token, path, cursor string, pages int) (*timing, error) {
	t := c.start(name)
	next := ""
	for len(t.lat) < pages {
		p := path
		if next != "" {
			p += "&" + cursor + "=" + url.QueryEscape(next)
		}
		body, d, err := c.get(ctx, token, p)
		if err != nil {
			return nil, err
		}
		t.lat, t.bytes = append(t.lat, d), t.bytes+len(body)
		var pg struct {
			Next json.RawMessage `json:"next"`
		}
		if err := json.Unmarshal(body, &pg); err != nil {
			return nil, fmt.Errorf("GET %s: %w", p, err)
		}
		if len(pg.Next) == 0 {
			break
		}
		next = strings.Trim(string(pg.Next), `"`)
	}
	c.end(t)
	return t, nil
}

// each times n calls of path(i).
func (c *client) each(ctx context.Context, name, token string, n int, path func(i int) string) (*timing, error) {
	t := c.start(name)
	for i := range n {
		body, d, err := c.get(ctx, token, path(i))
		if err != nil {
			return nil, err
		}
		t.lat, t.bytes = append(t.lat, d), t.bytes+len(body)
	}
	c.end(t)
	return t, nil
}

// timeAll times every list and detail call, as admin and as the account
// manager, handing each call kind's timing to done as it is taken.
func timeAll(ctx context.Context, c *client, ctl *controller, s *seeded, cfg config, done func(*timing)) error {
	rng := rand.New(rand.NewSource(cfg.seed))
	pick := func(ids []string) func(int) string {
		return func(int) string { return ids[rng.Intn(len(ids))] }
	}
	line, amLine, cust := pick(s.lines), pick(s.managerLines), pick(s.customers)
	inc := func(int) string { return strconv.FormatInt(s.incidentIDs[rng.Intn(len(s.incidentIDs))], 10) }
	whole := 1 + cfg.lines/1000 // pages of 1,000 in the whole fleet
	type call struct {
		name, token, path, cursor string
		pages                     int
		single                    func(int) string
	}
	esc := url.QueryEscape
	var calls []call
	for _, who := range []struct{ role, token string }{{"admin", ctl.admin}, {"account manager", ctl.am}} {
		lineOf := line
		if who.role != "admin" {
			lineOf = amLine
		}
		calls = append(calls,
			call{name: who.role + ": lines, pages of 1,000 (whole list)", token: who.token, path: "/api/v1/lines?limit=1000", cursor: "after", pages: whole},
			call{name: who.role + ": lines, pages of 100 at a random line", token: who.token, single: func(int) string { return "/api/v1/lines?limit=100&after=" + esc(lineOf(0)) }},
			call{name: who.role + ": line detail", token: who.token, single: func(int) string { return "/api/v1/lines/" + url.PathEscape(lineOf(0)) }},
			call{name: who.role + ": customers, pages of 1,000 (whole list)", token: who.token, path: "/api/v1/customers?limit=1000", cursor: "after", pages: whole},
			call{name: who.role + ": customers, pages of 100 at a random customer", token: who.token, single: func(int) string { return "/api/v1/customers?limit=100&after=" + esc(cust(0)) }},
			call{name: who.role + ": incidents, pages of 1,000 (first 20)", token: who.token, path: "/api/v1/incidents?limit=1000", cursor: "before", pages: 20},
			call{name: who.role + ": incidents, pages of 100 (first 20)", token: who.token, path: "/api/v1/incidents?limit=100", cursor: "before", pages: 20},
			call{name: who.role + ": open incidents, pages of 1,000", token: who.token, path: "/api/v1/incidents?state=open&limit=1000", cursor: "before", pages: 20},
			call{name: who.role + ": complaints, pages of 1,000 (whole list)", token: who.token, path: "/api/v1/complaints?limit=1000", cursor: "after", pages: 100},
			call{name: who.role + ": complaints, pages of 100 (first 20)", token: who.token, path: "/api/v1/complaints?limit=100", cursor: "after", pages: 20},
			call{name: who.role + ": repeated complaints", token: who.token, single: func(int) string { return "/api/v1/complaints/repeats" }},
		)
	}
	calls = append(calls,
		call{name: "admin: incident detail", token: ctl.admin, single: func(i int) string { return "/api/v1/incidents/" + inc(i) }},
		call{name: "admin: agents", token: ctl.admin, single: func(int) string { return "/api/v1/agents" }},
	)
	for _, k := range calls {
		var t *timing
		var err error
		if k.single != nil {
			t, err = c.each(ctx, k.name, k.token, cfg.calls, k.single)
		} else {
			t, err = c.walk(ctx, k.name, k.token, k.path, k.cursor, k.pages)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", k.name, err)
		}
		done(t)
	}
	return nil
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
