package notify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/linestate"
)

// A maintenance window on a card: its customers get the notice 48 h and
// the reminder 2 h before; an incident inside it on its lines tells ops
// (marked planned) but not the customer; one still open at the window's
// end (an overrun) tells the customer as an incident would. The API lists
// who was told; the coverage metric follows.
func TestMaintenanceWindow(t *testing.T) {
	rules := emailOnly()
	d := rules["diamond"]
	d.Ops = true
	rules["diamond"] = d
	r := newRig(t, rules, func(o *Options) { o.Ops = []OpsContact{{Name: "NOC", Email: "ops@noc.example", Language: "en"}} })
	for _, c := range []string{"D1", "D2", "D3"} {
		r.customer(c, "diamond", "x@"+strings.ToLower(c)+".example", "en")
	}
	r.exec(`INSERT INTO upstream_elements (id, kind, name) VALUES ('pop-1', 'pop', 'PoP'), ('card-1', 'card', 'Card 1')`)
	r.exec(`UPDATE upstream_elements SET parent_id = 'pop-1' WHERE id = 'card-1'`)
	r.exec(`INSERT INTO lines (circuit_id, customer_id, upstream_element_id) VALUES ('L1', 'D1', 'card-1'), ('L2', 'D2', 'card-1'),
		('L3', 'D3', 'pop-1')`)
	mux := http.NewServeMux()
	r.n.RegisterMaintenance(mux, func(h http.Handler) http.Handler { return h })
	post := func(body string) (int, map[string]any) {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/api/v1/maintenance", bytes.NewBufferString(body)))
		var v map[string]any
		_ = json.Unmarshal(w.Body.Bytes(), &v)
		return w.Code, v
	}
	start, end := t0.Add(72*time.Hour), t0.Add(74*time.Hour)
	code, v := post(fmt.Sprintf(`{"title": "card swap", "start": %q, "end": %q, "elements": ["card-1"]}`,
		start.Format(time.RFC3339), end.Format(time.RFC3339)))
	if code != http.StatusCreated {
		t.Fatalf("POST: %d %v", code, v)
	}
	for body, field := range map[string]string{
		fmt.Sprintf(`{"start": %q, "end": %q, "lines": ["L1"]}`, end.Format(time.RFC3339), start.Format(time.RFC3339)):      "end",
		fmt.Sprintf(`{"start": %q, "end": %q, "elements": ["nope"]}`, start.Format(time.RFC3339), end.Format(time.RFC3339)): "elements[0]",
		fmt.Sprintf(`{"start": %q, "end": %q, "lines": ["L9"]}`, start.Format(time.RFC3339), end.Format(time.RFC3339)):      "lines[0]",
	} {
		if c, v := post(body); c != 400 || v["field"] != field {
			t.Errorf("%s: %d %v, want 400 naming %s", body, c, v, field)
		}
	}
	sent := func(addr string) []string { return to(r.sink.Messages(), addr) }

	r.send()
	if n := len(r.sink.Messages()); n != 0 {
		t.Fatalf("%d messages 72 h ahead", n)
	}
	r.at(start.Add(-48 * time.Hour))
	r.send()
	for _, a := range []string{"x@d1.example", "x@d2.example"} {
		if got := sent(a); len(got) != 1 || !strings.Contains(got[0], "Planned maintenance") {
			t.Errorf("%s notice: %q", a, got)
		}
	}
	if got := sent("x@d3.example"); len(got) != 0 {
		t.Errorf("D3 (not on the card) told: %q", got)
	}
	if c := testutil.ToFloat64(r.n.m.coverage); c != 1 {
		t.Errorf("coverage %v after the notices, want 1", c)
	}
	r.at(start.Add(-2 * time.Hour))
	r.send()
	if got := sent("x@d1.example"); len(got) != 2 || !strings.Contains(got[1], "Reminder") {
		t.Errorf("D1 reminder: %q", got)
	}

	// Inside the window: L1 down and back before the end.
	l1 := incident.Line{ID: "L1", Customer: "D1", Tier: "diamond"}
	l2 := incident.Line{ID: "L2", Customer: "D2", Tier: "diamond"}
	r.line(l1, linestate.Down, start.Add(10*time.Minute))
	r.at(start.Add(20 * time.Minute))
	r.send()
	r.line(l1, linestate.Up, start.Add(time.Hour))
	r.send()
	if got := sent("x@d1.example"); len(got) != 2 {
		t.Errorf("D1 told of an outage inside the window: %q", got)
	}
	if got := sent("ops@noc.example"); len(got) < 1 || !strings.HasPrefix(got[0], "[planned maintenance]") {
		t.Errorf("ops not told, or not marked planned: %q", got)
	}
	// L2 down inside, still down at the end: an overrun.
	r.line(l2, linestate.Down, start.Add(90*time.Minute))
	r.at(end.Add(-time.Second))
	r.send()
	if got := sent("x@d2.example"); len(got) != 2 {
		t.Fatalf("D2 told before the window's end: %q", got)
	}
	r.at(end)
	r.send()
	if got := sent("x@d2.example"); len(got) != 3 || !strings.Contains(got[2], "Service interruption") {
		t.Errorf("overrun not told to D2: %q", got)
	}

	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/api/v1/maintenance", nil))
	var list struct{ Windows []WindowView }
	if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil || len(list.Windows) != 1 {
		t.Fatalf("GET: %v %s", err, w.Body)
	}
	if lw := list.Windows[0]; lw.CustomersTold != 2 || len(lw.Customers) != 2 || len(lw.Told) != 4 || lw.Told[0].Sent == nil {
		t.Errorf("window as listed: %+v", lw)
	}
}
