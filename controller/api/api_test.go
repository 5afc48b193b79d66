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

	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/linehealth"
)

type fake struct{ lastState string }

func (f *fake) Customers(_ context.Context, _ linehealth.Scope, after string, limit int) ([]linehealth.CustomerView, bool, error) {
	return []linehealth.CustomerView{{Customer: inventory.Customer{ID: "C1"}}, {Customer: inventory.Customer{ID: "C2"}}}, false, nil
}

func (f *fake) Lines(_ context.Context, _ linehealth.Scope, after string, limit int) ([]linehealth.LineView, bool, error) {
	return []linehealth.LineView{{ID: "L1", State: "up", Flaps24h: 2, Availability24h: 99.9}}, false, nil
}

func (f *fake) Line(_ context.Context, _ linehealth.Scope, id string) (linehealth.LineDetail, error) {
	if id != "L1" {
		return linehealth.LineDetail{}, fmt.Errorf("line %s: %w", id, linehealth.ErrNotFound)
	}
	return linehealth.LineDetail{LineView: linehealth.LineView{ID: "L1"}}, nil
}

func (f *fake) Incidents(_ context.Context, _ linehealth.Scope, state string, before int64, limit int) ([]linehealth.IncidentSummary, bool, error) {
	f.lastState = state
	return []linehealth.IncidentSummary{}, false, nil
}

func (f *fake) Incident(_ context.Context, _ linehealth.Scope, id int64) (linehealth.IncidentDetail, error) {
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
