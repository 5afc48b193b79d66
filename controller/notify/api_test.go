package notify

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/linestate"
)

type page struct {
	Notifications []Notification `json:"notifications"`
	Next          string         `json:"next"`
	Error, Field  string
}

func get(t *testing.T, h http.Handler, path string) (int, page) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
	var p page
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatalf("%s: %v: %s", path, err, w.Body)
	}
	return w.Code, p
}

// The log: filters, keyset pages that neither skip nor repeat, bad
// filters named, an account manager's scope; and the metrics.
func TestNotificationsAPIAndMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	r := newRig(t, emailOnly(), nil)
	var err error
	if r.n, err = New(r.n.opts, nil, reg); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		c := fmt.Sprintf("D%d", i)
		r.customer(c, "diamond", fmt.Sprintf("x@d%d.example", i), "")
		r.line(incident.Line{ID: "L" + c, Customer: c, Tier: "diamond"}, linestate.Down, t0)
	}
	r.line(incident.Line{ID: "LD0", Customer: "D0", Tier: "diamond"}, linestate.Up, t0.Add(time.Second)) // cancelled
	r.at(t0.Add(time.Minute))
	r.send()

	mux := http.NewServeMux()
	r.n.Register(mux, func(req *http.Request) ([]string, bool) {
		if req.Header.Get("X-Manager") != "" {
			return []string{"D1", "D2"}, false
		}
		return nil, true
	})
	var ids []int64
	next := ""
	for range 10 {
		code, p := get(t, mux, "/api/v1/notifications?limit=2&before="+next)
		if code != 200 {
			t.Fatalf("status %d: %+v", code, p)
		}
		for _, x := range p.Notifications {
			ids = append(ids, x.ID)
		}
		if next = p.Next; next == "" {
			break
		}
	}
	if fmt.Sprint(ids) != "[5 4 3 2 1]" {
		t.Errorf("paged ids %v, want 5..1 once each", ids)
	}
	if _, p := get(t, mux, "/api/v1/notifications?status=cancelled"); len(p.Notifications) != 1 || p.Notifications[0].Customer != "D0" {
		t.Errorf("cancelled: %+v", p.Notifications)
	}
	if _, p := get(t, mux, "/api/v1/notifications?customer=D3&kind=outage_start&channel=email"); len(p.Notifications) != 1 ||
		p.Notifications[0].Status != "sent" || p.Notifications[0].Sent == nil || p.Notifications[0].Subject == "" {
		t.Errorf("D3: %+v", p.Notifications)
	}
	if code, p := get(t, mux, "/api/v1/notifications?status=lost"); code != 400 || p.Field != "status" {
		t.Errorf("bad status: %d %+v", code, p)
	}
	w := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/api/v1/notifications", nil)
	req.Header.Set("X-Manager", "1")
	mux.ServeHTTP(w, req)
	var p page
	_ = json.Unmarshal(w.Body.Bytes(), &p)
	if len(p.Notifications) != 2 {
		t.Errorf("manager sees %d notifications, want D1's and D2's", len(p.Notifications))
	}
	if v := testutil.ToFloat64(r.n.m.total.WithLabelValues("email", OutageStart, "sent")); v != 4 {
		t.Errorf("sent counter %v, want 4", v)
	}
	if v := testutil.ToFloat64(r.n.m.total.WithLabelValues("email", OutageStart, "cancelled")); v != 1 {
		t.Errorf("cancelled counter %v, want 1", v)
	}
	if n := testutil.CollectAndCount(reg, "vantage_controller_notification_latency_seconds"); n != 1 {
		t.Errorf("latency histogram series %d", n)
	}
}
