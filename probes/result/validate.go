package result

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
)

// FieldError names the offending field of a batch by its path, such as
// "results[3].f.loss_pct", so a dead-lettered message says what was wrong.
// Err, when set, classifies it (ErrForbidden, ErrOutOfRange, ErrPast).
type FieldError struct {
	Field string
	Msg   string
	Err   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// Unwrap returns the class of the error, if any.
func (e *FieldError) Unwrap() error { return e.Err }

// ErrFuture marks a result whose event time lies too far ahead of the
// controller's clock: a broken agent clock, refused and counted, because
// accepting it would plant points in the future that dashboards show as "now".
var ErrFuture = errors.New("timestamp too far in the future")

// ErrPast marks a result older than the results stream keeps anything
// (Window.MaxAge): nothing legitimate waits that long, since the stream
// itself would have dropped it.
var ErrPast = errors.New("timestamp older than the results stream's max age")

// ErrForbidden marks a result of a measurement only the controller writes
// (Schema.FromAgents false): line_state, line_event, agent, ...
var ErrForbidden = errors.New("measurement is written by the controller only")

// ErrOutOfRange marks a field value outside its Schema.Ranges, or a pair
// breaking Schema.NotAbove.
var ErrOutOfRange = errors.New("value out of range")

// Window bounds the event times Validate accepts, around the controller's
// clock Now: at most MaxFuture ahead (ErrFuture) and at most MaxAge behind
// (ErrPast; zero: no bound).
type Window struct {
	Now       time.Time
	MaxFuture time.Duration
	MaxAge    time.Duration
}

// ValidAgentID reports whether id can be an agent id: it must be a single NATS
// subject token and an InfluxDB tag value, so only letters, digits, '-' and '_'.
func ValidAgentID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Validate checks a whole batch from an agent against the Schemas: only
// agent measurements (ErrForbidden), only allowed tags and fields, each
// value within its range (ErrOutOfRange), event times within w (ErrFuture,
// ErrPast). Each error is a *FieldError naming the field. It returns the
// first problem found.
func (b *Batch) Validate(w Window) error {
	if !ValidAgentID(b.Agent) {
		return &FieldError{Field: "agent", Msg: fmt.Sprintf("%q is not a valid agent id (letters, digits, '-', '_')", b.Agent)}
	}
	if len(b.Results) == 0 {
		return &FieldError{Field: "results", Msg: "empty batch"}
	}
	future := w.Now.Add(w.MaxFuture)
	var past time.Time
	if w.MaxAge > 0 {
		past = w.Now.Add(-w.MaxAge)
	}
	for i := range b.Results {
		if err := b.Results[i].validate(future, past); err != nil {
			return &FieldError{Field: fmt.Sprintf("results[%d].%s", i, err.Field), Msg: err.Msg, Err: err.Err}
		}
	}
	return nil
}

// spec is one field's kind and range, looked up once per field.
type spec struct {
	kind     Kind
	min, max float64
}

type compiled struct {
	Schema
	fields map[string]spec
}

// compiledSchemas joins each schema's Fields and Ranges into one map, so
// validation costs one lookup per field.
var compiledSchemas = sync.OnceValue(func() map[string]*compiled {
	out := make(map[string]*compiled, len(Schemas))
	for name, s := range Schemas {
		c := &compiled{Schema: s, fields: make(map[string]spec, len(s.Fields))}
		for k, kind := range s.Fields {
			r, ok := s.Ranges[k]
			if !ok {
				// Controller measurements have no ranges: they are never
				// validated here (FromAgents is false).
				r = Range{-math.MaxFloat64, math.MaxFloat64}
			}
			c.fields[k] = spec{kind, r.Min, r.Max}
		}
		out[name] = c
	}
	return out
})

func (r *Result) validate(future, past time.Time) *FieldError {
	s, ok := compiledSchemas()[r.Measurement]
	if !ok {
		return &FieldError{Field: "m", Msg: fmt.Sprintf("unknown measurement %q", r.Measurement)}
	}
	if !s.FromAgents {
		return &FieldError{Field: "m", Msg: fmt.Sprintf("measurement %q is written by the controller only", r.Measurement), Err: ErrForbidden}
	}
	if r.Time.IsZero() || r.Time.Year() < 2000 {
		return &FieldError{Field: "t", Msg: "missing or implausible timestamp"}
	}
	if r.Time.After(future) {
		return &FieldError{Field: "t", Msg: r.Time.UTC().Format(time.RFC3339Nano) + ": " + ErrFuture.Error(), Err: ErrFuture}
	}
	if r.Time.Before(past) {
		return &FieldError{Field: "t", Msg: r.Time.UTC().Format(time.RFC3339Nano) + ": " + ErrPast.Error(), Err: ErrPast}
	}
	for k, v := range r.Tags {
		if !s.TagAllowed(k) {
			return &FieldError{Field: "tags." + k, Msg: fmt.Sprintf("tag not allowed on measurement %q", r.Measurement)}
		}
		if len(v) > 256 || strings.ContainsAny(v, "\n\r\t") || !isPrintable(v) {
			return &FieldError{Field: "tags." + k, Msg: "value must be printable, without newlines or tabs, at most 256 bytes"}
		}
	}
	for _, k := range s.Required {
		if r.Tags[k] == "" {
			return &FieldError{Field: "tags." + k, Msg: "required tag is missing"}
		}
	}
	for k, v := range r.Text {
		if !slices.Contains(s.Strings, k) {
			return &FieldError{Field: "s." + k, Msg: fmt.Sprintf("string field not allowed on measurement %q", r.Measurement)}
		}
		if len(v) > 256 || !isPrintable(v) {
			return &FieldError{Field: "s." + k, Msg: "value must be printable, at most 256 bytes"}
		}
	}
	if len(r.Fields) == 0 && r.Error == "" {
		return &FieldError{Field: "f", Msg: "a result needs fields or an error class"}
	}
	for k, v := range r.Fields {
		f, ok := s.fields[k]
		if !ok {
			return &FieldError{Field: "f." + k, Msg: fmt.Sprintf("field not allowed on measurement %q", r.Measurement)}
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return &FieldError{Field: "f." + k, Msg: "not a finite number"}
		}
		switch f.kind {
		case Int:
			if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
				return &FieldError{Field: "f." + k, Msg: fmt.Sprintf("%v is not a whole number", v)}
			}
		case Bool:
			if v != 0 && v != 1 {
				return &FieldError{Field: "f." + k, Msg: fmt.Sprintf("%v is not 0 or 1", v)}
			}
		}
		if v < f.min || v > f.max {
			return &FieldError{Field: "f." + k, Err: ErrOutOfRange,
				Msg: fmt.Sprintf("%s.%s %v is outside %v..%v", r.Measurement, k, v, f.min, f.max)}
		}
	}
	for _, p := range s.NotAbove {
		a, okA := r.Fields[p[0]]
		b, okB := r.Fields[p[1]]
		if okA && okB && a > b {
			return &FieldError{Field: "f." + p[0], Err: ErrOutOfRange,
				Msg: fmt.Sprintf("%s.%s %v is above %s %v", r.Measurement, p[0], a, p[1], b)}
		}
	}
	if len(r.Error) > 64 || !isPrintable(r.Error) {
		return &FieldError{Field: "err", Msg: "error class must be a short printable word"}
	}
	return nil
}

func isPrintable(s string) bool {
	for _, c := range s {
		if c < 0x20 || c == 0x7f || c == 0xfffd {
			return false
		}
	}
	return true
}
