package linestate

import "time"

// Decay is a line's dampening penalty as a value at a time with the
// thresholds it decays by, so a reader without the detector (the
// controller's read model, from the database) can tell its value later.
type Decay struct {
	// Value is the penalty at At.
	Value float64
	At    time.Time
	// HalfLife and Reuse are the line's Params.
	HalfLife time.Duration
	Reuse    float64
}

// ValueAt is the penalty decayed to t, exactly as the detector computes it
// (t before At: Value).
func (d Decay) ValueAt(t time.Time) float64 {
	if d.Value == 0 || d.HalfLife <= 0 {
		return d.Value
	}
	dm := damp{Penalty: d.Value, At: d.At.UnixNano()}
	return dm.valueAt(t.UnixNano(), &Params{HalfLife: d.HalfLife, Reuse: d.Reuse})
}
