package complaints

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
)

// Category is what the customer complained about.
type Category string

// The categories of a complaint (the call centre's own names map onto
// these through an import's mapping file).
const (
	LineInterruption Category = "line_interruption"
	Slow             Category = "slow"
	NoService        Category = "no_service"
	WeakSignal       Category = "weak_signal"
	Other            Category = "other"
)

// Categories lists every category, in the order documentation shows them.
var Categories = []Category{LineInterruption, Slow, NoService, WeakSignal, Other}

// Valid reports whether c is one of Categories.
func (c Category) Valid() bool {
	for _, k := range Categories {
		if c == k {
			return true
		}
	}
	return false
}

// Verdict is what Vantage's evidence says about a complaint.
type Verdict string

// Verdicts, strongest first.
const (
	// Confirmed: the network failed the customer in the window (an
	// outage, a flap, flapping, an incident).
	Confirmed Verdict = "confirmed"
	// Degraded: the line was up but below its thresholds.
	Degraded Verdict = "degraded"
	// NotObserved: monitored and healthy through the window.
	NotObserved Verdict = "not_observed"
	// NotMonitored: nothing watches this customer or place, a gap in
	// the monitoring itself.
	NotMonitored Verdict = "not_monitored"
)

// Verdicts lists every verdict.
var Verdicts = []Verdict{Confirmed, Degraded, NotObserved, NotMonitored}

// Intake is a complaint as the call centre gives it. At least one of
// CustomerID, Phone, CircuitID or coordinates must identify the customer
// or the place.
type Intake struct {
	ID           string     `json:"id"`
	ReceivedAt   time.Time  `json:"received_at"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	CustomerID   string     `json:"customer_id,omitempty"`
	Phone        string     `json:"phone,omitempty"`
	CircuitID    string     `json:"circuit_id,omitempty"`
	CustomerName string     `json:"customer_name,omitempty"`
	Address      string     `json:"address,omitempty"`
	// Lat and Lon are WGS84 degrees; both or neither.
	Lat      *float64 `json:"lat,omitempty"`
	Lon      *float64 `json:"lon,omitempty"`
	Category Category `json:"category"`
	Text     string   `json:"text,omitempty"`
}

// MaxTextBytes bounds each text field of a complaint (free text included).
const MaxTextBytes = 16 << 10

// FieldError is a bad intake field: which and why.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// The reasons Check gives, shared with the importer's messages.
const (
	ReasonNoID         = "empty complaint id"
	ReasonNoReceived   = "empty received time"
	ReasonNoIdentity   = "no way to identify the customer or place: customer id, phone, circuit id and coordinates are all empty"
	ReasonClosedBefore = "closed before it was received"
)

// Check validates in; the error is a *FieldError naming the first bad field.
func (in *Intake) Check() error {
	bad := func(field, format string, args ...any) error {
		return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	if strings.TrimSpace(in.ID) == "" {
		return bad("id", ReasonNoID)
	}
	for _, f := range []struct{ name, v string }{{"id", in.ID}, {"customer_id", in.CustomerID}, {"phone", in.Phone},
		{"circuit_id", in.CircuitID}, {"customer_name", in.CustomerName}, {"address", in.Address}, {"text", in.Text}} {
		if len(f.v) > MaxTextBytes {
			return bad(f.name, "longer than %d bytes", MaxTextBytes)
		}
	}
	if in.ReceivedAt.IsZero() {
		return bad("received_at", ReasonNoReceived)
	}
	if in.ClosedAt != nil && in.ClosedAt.Before(in.ReceivedAt) {
		return bad("closed_at", ReasonClosedBefore)
	}
	if (in.Lat == nil) != (in.Lon == nil) {
		if in.Lat == nil {
			return bad("lat", "longitude given without latitude")
		}
		return bad("lon", "latitude given without longitude")
	}
	if in.Lat != nil {
		if err := CheckLat(*in.Lat); err != "" {
			return bad("lat", "%s", err)
		}
		if err := CheckLon(*in.Lon); err != "" {
			return bad("lon", "%s", err)
		}
	}
	if !in.Category.Valid() {
		return bad("category", "%q is not a category (line_interruption, slow, no_service, weak_signal, other)", string(in.Category))
	}
	if strings.TrimSpace(in.CustomerID) == "" && strings.TrimSpace(in.Phone) == "" &&
		strings.TrimSpace(in.CircuitID) == "" && in.Lat == nil {
		return bad("customer_id", ReasonNoIdentity)
	}
	return nil
}

// CheckLat returns why lat is not a WGS84 latitude, or "".
func CheckLat(lat float64) string {
	if math.IsNaN(lat) || lat < -90 || lat > 90 {
		return fmt.Sprintf("latitude %v is out of range (-90 to 90)", lat)
	}
	return ""
}

// CheckLon returns why lon is not a WGS84 longitude, or "".
func CheckLon(lon float64) string {
	if math.IsNaN(lon) || lon < -180 || lon > 180 {
		return fmt.Sprintf("longitude %v is out of range (-180 to 180)", lon)
	}
	return ""
}

// hash is the intake's fingerprint: equal for an unchanged re-import.
func (in *Intake) hash() string {
	c := *in
	c.ReceivedAt = c.ReceivedAt.UTC().Truncate(time.Millisecond)
	if c.ClosedAt != nil {
		t := c.ClosedAt.UTC().Truncate(time.Millisecond)
		c.ClosedAt = &t
	}
	b, _ := json.Marshal(c)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Complaint is a stored complaint with what linking found.
type Complaint struct {
	Intake
	// LinkedCustomer is the inventory customer it was resolved to ('' when none).
	LinkedCustomer string `json:"linked_customer"`
	// LinkedBy says how: customer_id, circuit_id, phone, coordinates, or ''.
	LinkedBy string `json:"linked_by"`
	// Site is the customer's site, or the nearest site to the coordinates.
	Site string `json:"site,omitempty"`
	// Cell is the grid cell (geohash) the complaint counts against.
	Cell  string   `json:"grid_cell,omitempty"`
	Lines []string `json:"lines"`
	// Verdict and Evidence: what the agents saw in the window.
	Verdict  Verdict    `json:"verdict"`
	Evidence []Evidence `json:"evidence,omitempty"`
	// RecoveredAt is when the linked incidents and outages ended (nil
	// while any is open, or when there were none).
	RecoveredAt *time.Time `json:"recovered_at,omitempty"`
	// Repeat: the Nth complaint in D days of its customer, a line or its cell.
	Repeat      bool       `json:"repeat"`
	EvaluatedAt *time.Time `json:"evaluated_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// Evidence is one thing that bears on the verdict.
type Evidence struct {
	// Kind is outage, flap, degraded (line events), incident, flapping
	// (the line's current state), healthy (monitored, no event),
	// unmonitored_line, weak_coverage (a weak-coverage event of the
	// complaint's cell), coverage_ok (the cell scored, not weak),
	// measured (agents' measurements of a cell coverage has not scored) or
	// behind_competitor (our network behind another on a comparison test
	// in the cell over the window, controller/compare; no verdict of its own).
	Kind     string     `json:"kind"`
	Line     string     `json:"line,omitempty"`
	Cell     string     `json:"cell,omitempty"` // weak_coverage, coverage_ok, measured
	Incident int64      `json:"incident,omitempty"`
	EventID  int64      `json:"event,omitempty"`
	Start    *time.Time `json:"start,omitempty"`
	End      *time.Time `json:"end,omitempty"`
	// LossPct, RTTMs: the event's figures (degradations, outages).
	LossPct *float64 `json:"loss_pct,omitempty"`
	RTTMs   *float64 `json:"rtt_ms,omitempty"`
	Note    string   `json:"note,omitempty"`
}
