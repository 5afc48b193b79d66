package result

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// FieldError names the offending field of a batch by its path, such as
// "results[3].f.loss_pct", so a dead-lettered message says what was wrong.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// ErrFuture marks a result whose event time lies too far ahead of the
// controller's clock: a broken agent clock, refused and counted, because
// accepting it would plant points in the future that dashboards show as "now".
var ErrFuture = errors.New("timestamp too far in the future")

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

// Validate checks a whole batch against the Schemas. now and maxFuture bound
// event times: a result later than now+maxFuture is refused with ErrFuture
// (wrapped in a FieldError). It returns the first problem found.
func (b *Batch) Validate(now time.Time, maxFuture time.Duration) error {
	if !ValidAgentID(b.Agent) {
		return &FieldError{"agent", fmt.Sprintf("%q is not a valid agent id (letters, digits, '-', '_')", b.Agent)}
	}
	if len(b.Results) == 0 {
		return &FieldError{"results", "empty batch"}
	}
	limit := now.Add(maxFuture)
	for i := range b.Results {
		if err := b.Results[i].validate(limit); err != nil {
			var fe *FieldError
			if errors.As(err, &fe) {
				return &FieldError{fmt.Sprintf("results[%d].%s", i, fe.Field), fe.Msg}
			}
			return fmt.Errorf("results[%d]: %w", i, err)
		}
	}
	return nil
}

func (r *Result) validate(limit time.Time) error {
	s, ok := Schemas[r.Measurement]
	if !ok {
		return &FieldError{"m", fmt.Sprintf("unknown measurement %q", r.Measurement)}
	}
	if r.Time.IsZero() || r.Time.Year() < 2000 {
		return &FieldError{"t", "missing or implausible timestamp"}
	}
	if r.Time.After(limit) {
		return fmt.Errorf("t: %s: %w", r.Time.UTC().Format(time.RFC3339Nano), ErrFuture)
	}
	for k, v := range r.Tags {
		if !s.TagAllowed(k) {
			return &FieldError{"tags." + k, fmt.Sprintf("tag not allowed on measurement %q", r.Measurement)}
		}
		if len(v) > 256 || strings.ContainsAny(v, "\n\r\t") || !isPrintable(v) {
			return &FieldError{"tags." + k, "value must be printable, without newlines or tabs, at most 256 bytes"}
		}
	}
	for _, k := range s.Required {
		if r.Tags[k] == "" {
			return &FieldError{"tags." + k, "required tag is missing"}
		}
	}
	for k, v := range r.Text {
		if !slices.Contains(s.Strings, k) {
			return &FieldError{"s." + k, fmt.Sprintf("string field not allowed on measurement %q", r.Measurement)}
		}
		if len(v) > 256 || !isPrintable(v) {
			return &FieldError{"s." + k, "value must be printable, at most 256 bytes"}
		}
	}
	if len(r.Fields) == 0 && r.Error == "" {
		return &FieldError{"f", "a result needs fields or an error class"}
	}
	for k, v := range r.Fields {
		kind, ok := s.Fields[k]
		if !ok {
			return &FieldError{"f." + k, fmt.Sprintf("field not allowed on measurement %q", r.Measurement)}
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return &FieldError{"f." + k, "not a finite number"}
		}
		switch kind {
		case Int:
			if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
				return &FieldError{"f." + k, fmt.Sprintf("%v is not a whole number", v)}
			}
		case Bool:
			if v != 0 && v != 1 {
				return &FieldError{"f." + k, fmt.Sprintf("%v is not 0 or 1", v)}
			}
		}
	}
	if len(r.Error) > 64 || !isPrintable(r.Error) {
		return &FieldError{"err", "error class must be a short printable word"}
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
