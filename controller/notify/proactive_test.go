package notify

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/linestate"
)

// Told before complaining, complained before being told, a flap too short
// to be an impact, a short outage no rule tells but a complaint makes an
// impact: the ratio per customer and per tier, on the API and the metric.
func TestProactiveRatio(t *testing.T) {
	r := newRig(t, emailOnly(), nil)
	for _, c := range []string{"D1", "D2", "D3"} {
		r.customer(c, "diamond", "x@"+c+".example", "en")
	}
	r.customer("S1", "silver", "x@S1.example", "en")
	complaint := func(id, customer string, at time.Time) {
		r.exec(`INSERT INTO complaints (id, received_at, category, intake_hash, linked_customer, created_at, updated_at)
			VALUES (?, ?, 'line_interruption', ?, ?, ?, ?)`, id, at.UnixMilli(), id, customer, at.UnixMilli(), at.UnixMilli())
	}
	line := func(c string) incident.Line { return incident.Line{ID: "L-" + c, Customer: c, Tier: r.tierOf(c)} }
	for _, c := range []string{"D1", "D2", "D3", "S1"} {
		r.line(line(c), linestate.Down, t0)
	}
	complaint("K2", "D2", t0.Add(10*time.Second)) // before D2's message (due at 30 s)
	r.line(line("D3"), linestate.Up, t0.Add(2*time.Second))
	r.at(t0.Add(time.Minute))
	r.send()
	complaint("K1", "D1", t0.Add(5*time.Minute)) // after D1 was told
	complaint("K4", "S1", t0.Add(time.Minute))
	r.line(line("S1"), linestate.Up, t0.Add(2*time.Minute)) // shorter than silver's 5 min: no message
	r.line(line("D1"), linestate.Up, t0.Add(10*time.Minute))
	r.line(line("D2"), linestate.Up, t0.Add(10*time.Minute))
	r.send()

	customers, tiers, err := r.n.Proactive(r.ctx, t0.Add(-time.Hour), t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(customers), "[{D1 diamond 1 1 1} {D2 diamond 1 0 0} {S1 silver 1 0 0}]"; got != want {
		t.Errorf("customers %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(tiers), "[{ diamond 2 1 0.5} { silver 1 0 0}]"; got != want {
		t.Errorf("tiers %s, want %s", got, want)
	}
	mux := http.NewServeMux()
	r.n.RegisterProactive(mux, func(req *http.Request) ([]string, bool) { return []string{"D2"}, req.Header.Get("X-AM") == "" })
	w := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/api/v1/proactive?from="+t0.Add(-time.Hour).Format(time.RFC3339), nil)
	req.Header.Set("X-AM", "1")
	r.at(t0.Add(2 * time.Hour))
	mux.ServeHTTP(w, req)
	var v struct{ Customers, Tiers []ProactiveRow }
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil || len(v.Customers) != 1 || v.Customers[0].Customer != "D2" || len(v.Tiers) != 0 {
		t.Errorf("account manager's view: %v %s", err, w.Body)
	}
	r.n.refreshProactive(r.ctx)
	if g := testutil.ToFloat64(r.n.m.proactive.WithLabelValues("diamond")); g != 0.5 {
		t.Errorf("diamond gauge %v", g)
	}
}

func (r *rig) tierOf(customer string) string {
	var tier string
	_ = r.db.QueryRow(`SELECT tier FROM customers WHERE id = ?`, customer).Scan(&tier)
	return tier
}
