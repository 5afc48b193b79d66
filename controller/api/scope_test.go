package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/apiauth"
	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/linehealth"
	"github.com/vantage-net/vantage/controller/store/storetest"
)

// TestMain gives the package one PostgreSQL cluster when
// VANTAGE_TEST_DB=postgres (storetest).
func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// scopeFixture is the API over the real read model (linehealth.ReadModel on
// SQLite, inventory imported through the importer) behind the real token
// check, served over HTTP: three account managers whose customers, lines
// and incidents interleave by id.
type scopeFixture struct {
	srv    *httptest.Server
	tokens map[string]string // manager (or "admin") → token
	// want[manager] are the ids that manager must see.
	lines, customers, incidents map[string][]string
	// own is one line and one incident only each manager sees.
	ownLine, ownIncident map[string]string
	t0                   time.Time
}

const managers = 3

func manager(i int) string { return fmt.Sprintf("am-%d", i%managers+1) }

func newScopeFixture(t *testing.T) *scopeFixture {
	t.Helper()
	ctx := context.Background()
	inv, db, err := inventory.Open(ctx, storetest.Target(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &scopeFixture{tokens: map[string]string{}, lines: map[string][]string{}, customers: map[string][]string{},
		incidents: map[string][]string{}, ownLine: map[string]string{}, ownIncident: map[string]string{},
		t0: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)}
	// 30 customers, customer i managed by am-(i%3+1); two without a manager.
	var y strings.Builder
	y.WriteString("customers:\n")
	for i := range 30 {
		id := fmt.Sprintf("C%02d", i)
		fmt.Fprintf(&y, "  - {id: %s, name: Customer %d, tier: gold, account_manager: %s}\n", id, i, manager(i))
		f.customers[manager(i)] = append(f.customers[manager(i)], id)
	}
	y.WriteString("  - {id: C90, name: Nobody's, tier: silver}\n  - {id: C91, name: Nobody's too, tier: silver}\n")
	// 750 lines, line i of customer i%30, so of manager i%3: 250 each,
	// interleaved; and 10 lines of the unmanaged customers in between.
	y.WriteString("lines:\n")
	custOf := map[string]string{}
	for i := range 750 {
		id, c := fmt.Sprintf("L%04d", i), fmt.Sprintf("C%02d", i%30)
		fmt.Fprintf(&y, "  - {circuit_id: %s, customer: %s}\n", id, c)
		f.lines[manager(i)] = append(f.lines[manager(i)], id)
		custOf[id] = c
	}
	for j := range 10 {
		id := fmt.Sprintf("L%04dx", j*75)
		fmt.Fprintf(&y, "  - {circuit_id: %s, customer: C9%d}\n", id, j%2)
		custOf[id] = fmt.Sprintf("C9%d", j%2)
	}
	set, err := inventory.ParseYAML("scope.yaml", []byte(y.String()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inv.Import(ctx, set, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	// Incidents 1..60: incident k holds a line of am-1 and one of am-2 or
	// am-3, the other manager's line down first, so the incident's own
	// start is not am-1's; 61..65 hold only am-3's lines; 66 only an
	// unmanaged customer's line.
	addIncident := func(id int, lines ...string) {
		t.Helper()
		in := incident.Incident{ID: int64(id), Kind: incident.Outage, Start: f.t0, Updated: f.t0}
		for n, l := range lines {
			down := f.t0.Add(time.Duration(len(lines)-1-n) * time.Minute) // the last line is down first
			in.Members = append(in.Members, incident.Member{Line: l, Customer: custOf[l], Tier: "gold", Down: down})
			in.Timeline = append(in.Timeline, incident.Entry{Time: down, Line: l, What: "joined"})
		}
		enc := func(v any) string { b, _ := json.Marshal(v); return string(b) }
		if _, err := db.Exec(`INSERT INTO incidents (id, kind, root_element, started_at, ended_at, lines, customers, timeline, root_path, updated_at)
			VALUES (?, 'outage', '', ?, NULL, ?, ?, ?, '[]', ?)`, id, f.t0.UnixMilli(), enc(in.Members), enc(in.Customers()), enc(in.Timeline), f.t0.UnixMilli()); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, m := range in.Members {
			if _, err := db.Exec(`INSERT INTO incident_lines (incident_id, circuit_id, customer_id) VALUES (?, ?, ?)`, id, m.Line, m.Customer); err != nil {
				t.Fatal(err)
			}
			for mi := range managers {
				if m.Customer != "C90" && m.Customer != "C91" && manager(mi) == managerOfCustomer(m.Customer) && !seen[manager(mi)] {
					seen[manager(mi)] = true
					f.incidents[manager(mi)] = append(f.incidents[manager(mi)], fmt.Sprint(id))
				}
			}
		}
	}
	for k := range 60 {
		other := 3*k + 1 + k%2 // am-2's line for even k, am-3's for odd
		addIncident(k+1, fmt.Sprintf("L%04d", 3*k), fmt.Sprintf("L%04d", other))
	}
	for k := range 5 {
		addIncident(61+k, fmt.Sprintf("L%04d", 3*k+2))
	}
	addIncident(66, "L0075x")
	for m := range f.incidents {
		slices.Reverse(f.incidents[m]) // newest first, as listed
	}
	f.ownLine = map[string]string{"am-1": "L0000", "am-2": "L0001", "am-3": "L0002"}
	f.ownIncident = map[string]string{"am-3": "61", "admin": "66"}

	reads, err := linehealth.NewReadModel(linehealth.ReadOptions{DB: db, Inventory: inv,
		Now: func() time.Time { return f.t0.Add(time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	auth, err := apiauth.New(apiauth.Options{DB: db, Inventory: inv}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range managers {
		m := manager(i)
		if f.tokens[m], err = auth.Create(ctx, "tok-"+m, apiauth.AccountManager, m); err != nil {
			t.Fatal(err)
		}
	}
	if f.tokens["admin"], err = auth.Create(ctx, "tok-admin", apiauth.Admin, ""); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	Register(mux, reads, slog.New(slog.DiscardHandler), PrincipalScope)
	f.srv = httptest.NewServer(auth.Require(mux))
	t.Cleanup(f.srv.Close)
	return f
}

func managerOfCustomer(c string) string {
	var i int
	_, _ = fmt.Sscanf(c, "C%d", &i)
	return manager(i)
}

func (f *scopeFixture) get(t *testing.T, who, path string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+f.tokens[who])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// pageAll follows next from the first page of path (limit 7) and returns
// every id listed, checking that each page but the last is full.
func (f *scopeFixture) pageAll(t *testing.T, who, list, cursor string) []string {
	t.Helper()
	var ids []string
	next := ""
	for pages := 0; ; pages++ {
		if pages > 200 {
			t.Fatalf("%s %s: paging does not end", who, list)
		}
		q := url.Values{"limit": {"7"}}
		if next != "" {
			q.Set(cursor, next)
		}
		code, body := f.get(t, who, "/api/v1/"+list+"?"+q.Encode())
		if code != http.StatusOK {
			t.Fatalf("%s %s: %d %s", who, list, code, body)
		}
		var page map[string]json.RawMessage
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatal(err)
		}
		var rows []struct {
			ID json.RawMessage `json:"id"`
		}
		if err := json.Unmarshal(page[list], &rows); err != nil {
			t.Fatal(err)
		}
		next = ""
		if raw, ok := page["next"]; ok {
			if err := json.Unmarshal(raw, &next); err != nil {
				t.Fatalf("%s %s: next %s: %v", who, list, raw, err)
			}
		}
		if next != "" && len(rows) != 7 {
			t.Errorf("%s %s page %d: %d rows before the last page, want 7", who, list, pages, len(rows))
		}
		for _, r := range rows {
			ids = append(ids, strings.Trim(string(r.ID), `"`))
		}
		if next == "" {
			return ids
		}
	}
}

// TestScopedPaging (issue 10, item 8): each of three account managers,
// whose 250 lines (and customers and incidents) interleave by id with the
// others', pages through every list with limit=7 and next and sees exactly
// their own rows, each once; admin sees everything.
func TestScopedPaging(t *testing.T) {
	f := newScopeFixture(t)
	for i := range managers {
		m := manager(i)
		if got := f.pageAll(t, m, "lines", "after"); !slices.Equal(got, f.lines[m]) {
			t.Errorf("%s lines: %d listed, want their %d (first %v)", m, len(got), len(f.lines[m]), got[:min(5, len(got))])
		}
		if got := f.pageAll(t, m, "customers", "after"); !slices.Equal(got, f.customers[m]) {
			t.Errorf("%s customers: %v, want %v", m, got, f.customers[m])
		}
		if got := f.pageAll(t, m, "incidents", "before"); !slices.Equal(got, f.incidents[m]) {
			t.Errorf("%s incidents: %v, want %v", m, got, f.incidents[m])
		}
	}
	if got := f.pageAll(t, "admin", "lines", "after"); len(got) != 760 {
		t.Errorf("admin: %d lines, want 760", len(got))
	}
	if got := f.pageAll(t, "admin", "customers", "after"); len(got) != 32 {
		t.Errorf("admin: %d customers, want 32", len(got))
	}
	if got := f.pageAll(t, "admin", "incidents", "before"); len(got) != 66 {
		t.Errorf("admin: %d incidents, want 66", len(got))
	}
}

// TestScopedNotFoundIsUniform: another manager's line or incident answers
// the very bytes an unknown id does.
func TestScopedNotFoundIsUniform(t *testing.T) {
	f := newScopeFixture(t)
	for _, c := range []struct{ who, theirs, unknown string }{
		{"am-1", "/api/v1/lines/" + f.ownLine["am-2"], "/api/v1/lines/NO-SUCH-LINE"},
		{"am-2", "/api/v1/lines/L0075x", "/api/v1/lines/L9999"},
		{"am-2", "/api/v1/incidents/" + f.ownIncident["am-3"], "/api/v1/incidents/9999"},
		{"am-1", "/api/v1/incidents/" + f.ownIncident["admin"], "/api/v1/incidents/123456"},
	} {
		code1, body1 := f.get(t, c.who, c.theirs)
		code2, body2 := f.get(t, c.who, c.unknown)
		if code1 != http.StatusNotFound || code2 != http.StatusNotFound || string(body1) != string(body2) {
			t.Errorf("%s: %s → %d %s; %s → %d %s", c.who, c.theirs, code1, body1, c.unknown, code2, body2)
		}
	}
	if code, body := f.get(t, "am-1", "/api/v1/lines/"+f.ownLine["am-1"]); code != http.StatusOK {
		t.Errorf("am-1's own line: %d %s", code, body)
	}
}

// TestScopedIncidentSummary: an account manager's view of a shared
// incident counts their lines only, names their customers only and starts
// when their first line went down, not when another customer's did.
func TestScopedIncidentSummary(t *testing.T) {
	f := newScopeFixture(t)
	// Incident 2: L0003 (C03, am-1) down at t0+1m, L0005 (C05, am-3) at t0,
	// the incident's start.
	mine := f.t0.Add(time.Minute)
	code, body := f.get(t, "am-1", "/api/v1/incidents?limit=1000")
	if code != http.StatusOK {
		t.Fatalf("%d %s", code, body)
	}
	var list struct {
		Incidents []linehealth.IncidentSummary `json:"incidents"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatal(err)
	}
	var s *linehealth.IncidentSummary
	for i := range list.Incidents {
		if list.Incidents[i].ID == 2 {
			s = &list.Incidents[i]
		}
	}
	if s == nil {
		t.Fatalf("am-1 does not see incident 2: %s", body)
	}
	if s.Lines != 1 || len(s.Customers) != 1 || s.Customers[0].ID != "C03" || !s.Start.Equal(mine) {
		t.Errorf("am-1's summary of incident 2: lines %d customers %v start %v; want 1, [C03], %v", s.Lines, s.Customers, s.Start, mine)
	}
	code, body = f.get(t, "am-1", "/api/v1/incidents/2")
	if code != http.StatusOK {
		t.Fatalf("%d %s", code, body)
	}
	for _, leak := range []string{"L0005", "C05"} {
		if strings.Contains(string(body), leak) {
			t.Errorf("am-1's incident 2 shows %s: %s", leak, body)
		}
	}
	var d linehealth.IncidentDetail
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	if !d.Start.Equal(mine) || len(d.Members) != 1 || len(d.Timeline) != 1 {
		t.Errorf("am-1's incident 2: start %v, %d lines, %d timeline entries", d.Start, len(d.Members), len(d.Timeline))
	}
	// Admin sees the whole incident, started a minute earlier.
	d = linehealth.IncidentDetail{}
	_, body = f.get(t, "admin", "/api/v1/incidents/2")
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	if !d.Start.Equal(f.t0) || len(d.Members) != 2 {
		t.Errorf("admin's incident 2: start %v, %d lines", d.Start, len(d.Members))
	}
}
