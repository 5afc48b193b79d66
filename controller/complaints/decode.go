package complaints

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// MaxBatch bounds the complaints of one POST.
const MaxBatch = 10000

// wireIntake is a complaint as POST /api/v1/complaints takes it: times
// as RFC 3339 with an offset, or naive ("2026-11-20 08:00[:05]") in the
// configured zone.
type wireIntake struct {
	ID           string   `json:"id"`
	ReceivedAt   string   `json:"received_at"`
	ClosedAt     string   `json:"closed_at"`
	CustomerID   string   `json:"customer_id"`
	Phone        string   `json:"phone"`
	CircuitID    string   `json:"circuit_id"`
	CustomerName string   `json:"customer_name"`
	Address      string   `json:"address"`
	Lat          *float64 `json:"lat"`
	Lon          *float64 `json:"lon"`
	Category     string   `json:"category"`
	Text         string   `json:"text"`
}

// naiveLayouts are the zone-less times the API accepts.
var naiveLayouts = []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04"}

func parseAPITime(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, l := range naiveLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time: want RFC 3339 (2026-11-20T08:00:00+08:00) or 2026-11-20 08:00[:05] in the configured zone", s)
}

// DecodeIntakes reads one complaint (a JSON object) or a batch (an array
// of them), strictly: unknown fields, wrong types and bad values are a
// *FieldError naming the field, prefixed with the index in a batch
// ("complaints[3].received_at"). Naive times are in loc.
func DecodeIntakes(r io.Reader, loc *time.Location) ([]Intake, error) {
	body, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	body = bytes.TrimSpace(body)
	var raws []json.RawMessage
	batch := len(body) > 0 && body[0] == '['
	if batch {
		if err := json.Unmarshal(body, &raws); err != nil {
			return nil, &FieldError{Field: "", Reason: "body is not a JSON array of complaints: " + err.Error()}
		}
		if len(raws) == 0 {
			return nil, &FieldError{Field: "", Reason: "empty batch"}
		}
		if len(raws) > MaxBatch {
			return nil, &FieldError{Field: "", Reason: fmt.Sprintf("%d complaints in one batch, more than %d", len(raws), MaxBatch)}
		}
	} else {
		raws = []json.RawMessage{body}
	}
	out := make([]Intake, 0, len(raws))
	for i, raw := range raws {
		prefix := ""
		if batch {
			prefix = fmt.Sprintf("complaints[%d].", i)
		}
		in, err := decodeOne(raw, loc)
		if err != nil {
			var fe *FieldError
			if errors.As(err, &fe) {
				return nil, &FieldError{Field: strings.TrimSuffix(prefix+fe.Field, "."), Reason: fe.Reason}
			}
			return nil, err
		}
		out = append(out, in)
	}
	return out, nil
}

func decodeOne(raw []byte, loc *time.Location) (Intake, error) {
	var w wireIntake
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field == "" {
			return Intake{}, &FieldError{Field: "", Reason: "a complaint must be a JSON object"}
		}
		if errors.As(err, &te) {
			return Intake{}, &FieldError{Field: te.Field, Reason: "must be a JSON " + te.Type.String()}
		}
		msg := err.Error()
		if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
			return Intake{}, &FieldError{Field: strings.Trim(f, `"`), Reason: "unknown field"}
		}
		return Intake{}, &FieldError{Field: "", Reason: "body is not a JSON complaint: " + msg}
	}
	if dec.More() {
		return Intake{}, &FieldError{Field: "", Reason: "more than one JSON value (send a batch as an array)"}
	}
	in := Intake{ID: w.ID, CustomerID: w.CustomerID, Phone: w.Phone, CircuitID: w.CircuitID,
		CustomerName: w.CustomerName, Address: w.Address, Lat: w.Lat, Lon: w.Lon, Category: Category(w.Category), Text: w.Text}
	if w.ReceivedAt != "" {
		t, err := parseAPITime(w.ReceivedAt, loc)
		if err != nil {
			return in, &FieldError{Field: "received_at", Reason: err.Error()}
		}
		in.ReceivedAt = t
	}
	if w.ClosedAt != "" {
		t, err := parseAPITime(w.ClosedAt, loc)
		if err != nil {
			return in, &FieldError{Field: "closed_at", Reason: err.Error()}
		}
		in.ClosedAt = &t
	}
	if err := in.Check(); err != nil {
		return in, err
	}
	return in, nil
}
