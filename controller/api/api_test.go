package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/linehealth"
)

type fake struct{ lastState string }

func (f *fake) Customers(_ context.Context, after string, limit int) ([]linehealth.CustomerView, error) {
	return []linehealth.CustomerView{{Customer: inventory.Customer{ID: "C1"}}, {Customer: inventory.Customer{ID: "C2"}}}, nil
}

func (f *fake) Lines(_ context.Context, after string, limit int) ([]linehealth.LineView, error) {
	return []linehealth.LineView{{ID: "L1", State: "up", Flaps24h: 2, Availability24h: 99.9}}, nil
}

func (f *fake) Line(_ context.Context, id string) (linehealth.LineDetail, error) {
	if id != "L1" {
		return linehealth.LineDetail{}, fmt.Errorf("line %s: %w", id, linehealth.ErrNotFound)
	}
	return linehealth.LineDetail{LineView: linehealth.LineView{ID: "L1"}}, nil
}

func (f *fake) Incidents(_ context.Context, state string, before int64, limit int) ([]linehealth.IncidentSummary, error) {
	f.lastState = state
	return []linehealth.IncidentSummary{}, nil
}

func (f *fake) Incident(_ context.Context, id int64) (linehealth.IncidentDetail, error) {
	if id == 7 {
		return linehealth.IncidentDetail{}, errors.New("disk on fire")
	}
	return linehealth.IncidentDetail{}, fmt.Errorf("incident %d: %w", id, linehealth.ErrNotFound)
}

func TestRoutes(t *testing.T) {
	f := &fake{}
	mux := http.NewServeMux()
	Register(mux, f, slog.New(slog.DiscardHandler), nil)
	cases := []struct {
		path  string
		code  int
		field string
	}{
		{"/api/v1/customers", 200, ""},
		{"/api/v1/customers?limit=5000", 400, "limit"},
		{"/api/v1/lines", 200, ""},
		{"/api/v1/lines?limit=0", 400, "limit"},
		{"/api/v1/lines?limit=abc", 400, "limit"},
		{"/api/v1/lines/L1", 200, ""},
		{"/api/v1/lines/nope", 404, "id"},
		{"/api/v1/incidents?state=open", 200, ""},
		{"/api/v1/incidents?state=sideways", 400, "state"},
		{"/api/v1/incidents?before=x", 400, "before"},
		{"/api/v1/incidents/abc", 400, "id"},
		{"/api/v1/incidents/3", 404, "id"},
		{"/api/v1/incidents/7", 500, ""},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", c.path, nil))
		if rec.Code != c.code {
			t.Errorf("%s: %d, want %d: %s", c.path, rec.Code, c.code, rec.Body)
			continue
		}
		if c.code >= 400 {
			var e struct{ Error, Field string }
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" || e.Field != c.field {
				t.Errorf("%s: error body %s, want field %q", c.path, rec.Body, c.field)
			}
		}
	}
	if f.lastState != "open" {
		t.Errorf("state passed as %q", f.lastState)
	}
}

// TestCustomersScoped: an account manager sees only their own customers.
func TestCustomersScoped(t *testing.T) {
	mux := http.NewServeMux()
	only := func(*http.Request) func(string) bool { return func(id string) bool { return id == "C2" } }
	Register(mux, &fake{}, slog.New(slog.DiscardHandler), only)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/customers", nil))
	var body struct {
		Customers []struct{ ID string } `json:"customers"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || len(body.Customers) != 1 || body.Customers[0].ID != "C2" {
		t.Errorf("scoped customers: %s (err %v)", rec.Body, err)
	}
}

// TestCustomerlessIncidentScope: an incident whose lines no customer owns
// is shown to admin and ops (they see every customer) and hidden from an
// account manager.
func TestCustomerlessIncidentScope(t *testing.T) {
	all := func(string) bool { return true }
	am := func(id string) bool { return id == "C1" }
	if _, ok := visibleCustomers(nil, all); !ok {
		t.Error("admin cannot see an incident without customers")
	}
	if _, ok := visibleCustomers(nil, am); ok {
		t.Error("account manager sees an incident without customers")
	}
	if cs, ok := visibleCustomers([]incident.Customer{{ID: "C1"}, {ID: "C2"}}, am); !ok || len(cs) != 1 {
		t.Errorf("account manager's share of a shared incident: %v %v", cs, ok)
	}
}
