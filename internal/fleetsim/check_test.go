package fleetsim

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// fakeAPI serves line details and incidents as the controller's API does.
func fakeAPI(t *testing.T, lines map[string][]apiEvent, incs []apiIncident) *API {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/lines/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"events": lines[r.PathValue("id")]})
	})
	mux.HandleFunc("GET /api/v1/lines", func(w http.ResponseWriter, r *http.Request) {
		type row struct {
			ID      string `json:"id"`
			Flaps   int    `json:"flaps_24h"`
			Outages int    `json:"outages_24h"`
		}
		var rows []row
		for _, id := range []string{"A", "B", "C"} {
			x := row{ID: id}
			for _, e := range lines[id] {
				if !e.Retracted.IsZero() {
					continue
				}
				switch e.Kind {
				case "flap":
					x.Flaps++
				case "outage":
					x.Outages++
				}
			}
			rows = append(rows, x)
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"lines": rows})
	})
	mux.HandleFunc("GET /api/v1/incidents", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"incidents": incs})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &API{Base: srv.URL, Token: "tok"}
}

func TestCheck(t *testing.T) {
	start := time.Date(2026, 12, 1, 4, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return start.Add(time.Duration(s * float64(time.Second))) }
	truth := &Truth{Start: start,
		Lines: map[string][]EventTruth{
			"A": {{Kind: "flap", From: 10, To: 15}, {Kind: "outage", From: 30, To: 100}},
			"B": {{Kind: "flap", From: 20, To: 25, SkewS: 2}},
			"C": {},
		},
		Groups: []GroupTruth{{Element: "card1", Start: 10, Lines: []string{"A", "C"}}},
	}
	good := map[string][]apiEvent{
		"A": {{Kind: "outage", Start: at(30.4), Final: true}, {Kind: "flap", Start: at(10), Final: true},
			{Kind: "flap", Start: at(50), Final: true, Retracted: at(60)}, {Kind: "degraded", Start: at(70), Final: true}},
		"B": {{Kind: "flap", Start: at(22), Final: true}},
	}
	incs := []apiIncident{{ID: 1, Root: "card1", Start: at(11), Lines: 2}, {ID: 2, Root: "A-p", Start: at(30), Lines: 1}}
	r, err := Check(context.Background(), fakeAPI(t, good, incs), truth)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || r.MatchedEvents != 3 || r.MatchedGroups != 1 {
		t.Fatalf("want a match: %s %v", r.Summary(), r.Diffs)
	}

	bad := map[string][]apiEvent{
		"A": {{Kind: "flap", Start: at(10), Final: true}, {Kind: "flap", Start: at(30), Final: true}},
		"B": {{Kind: "flap", Start: at(20), Final: false}, {Kind: "flap", Start: at(40), Final: true}},
		"C": {{Kind: "flap", Start: at(40), Final: true}},
	}
	incs = []apiIncident{{ID: 1, Root: "card1", Start: at(11), Lines: 1}, {ID: 3, Root: "pop1", Start: at(80), Lines: 4}}
	r, err = Check(context.Background(), fakeAPI(t, bad, incs), truth)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(r.Diffs, "\n")
	for _, want := range []string{
		"line A: controller 2 flaps 0 outages, truth 1 flaps 1 outages",
		"line B: controller 2 flaps 0 outages, truth 1 flaps 0 outages",
		"grouped failure card1 at 10s: incident 1 has 1 lines, truth 2",
		"incident 3 rooted at pop1 (4 lines",
		"line C: controller 1 flaps 0 outages, truth 0 flaps 0 outages",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("diffs lack %q:\n%s", want, text)
		}
	}
	if r.OK() || r.Pending != 1 {
		t.Errorf("pending %d, ok %v", r.Pending, r.OK())
	}

	// An event at the right count but off by more than one interval.
	late := map[string][]apiEvent{
		"A": good["A"],
		"B": {{Kind: "flap", Start: at(20), Final: true}}, // truth stamped at 22 (skew 2 s)
	}
	r, _ = Check(context.Background(), fakeAPI(t, late, []apiIncident{{ID: 1, Root: "card1", Start: at(11), Lines: 2}}), truth)
	if len(r.Diffs) != 1 || !strings.Contains(r.Diffs[0], "line B event 0: controller flap at +20.0s") {
		t.Errorf("diffs %v", r.Diffs)
	}
}
