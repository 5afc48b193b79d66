package linestate

import "math"

// damp is route-flap dampening (RFC 2439) for one line: every flap or
// outage adds Params.Penalty, the penalty halves every HalfLife, above
// Suppress the line is flapping and below Reuse it is released. The
// penalty is stored with the time it was last brought up to date, so
// decay costs nothing between flaps, and the release time is computed, not
// polled for: reuseAt = At + HalfLife·log2(Penalty/Reuse).
type damp struct {
	Penalty  float64
	At       int64 // event time Penalty is valid at
	Flapping bool
	Since    int64 // when the current flapping began
}

func (d *damp) decayTo(t int64, p *Params) {
	if d.Penalty == 0 || t <= d.At {
		return
	}
	d.Penalty, d.At = d.valueAt(t, p), t
}

// valueAt is the penalty decayed to t (t >= At) without storing it: what
// the line's penalty is at t, heard from or not.
func (d *damp) valueAt(t int64, p *Params) float64 {
	if d.Penalty == 0 || t <= d.At {
		return d.Penalty
	}
	v := d.Penalty * math.Exp2(-float64(t-d.At)/float64(p.HalfLife))
	if v < 1e-3*p.Reuse { // drop the tail so a quiet line costs nothing
		return 0
	}
	return v
}

// add charges one flap or outage ending at t; it reports whether the line
// started flapping.
func (d *damp) add(t int64, p *Params) bool {
	d.decayTo(t, p)
	if t > d.At {
		d.At = t
	}
	d.Penalty = min(d.Penalty+p.Penalty, p.MaxPenalty)
	if !d.Flapping && d.Penalty >= p.Suppress {
		d.Flapping, d.Since = true, t
		return true
	}
	return false
}

// reuseAt is when a flapping line is released, 0 when it is not flapping.
func (d *damp) reuseAt(p *Params) int64 {
	if !d.Flapping {
		return 0
	}
	if d.Penalty <= p.Reuse {
		return d.At
	}
	return d.At + int64(float64(p.HalfLife)*math.Log2(d.Penalty/p.Reuse))
}

// release ends flapping at t (= reuseAt).
func (d *damp) release(t int64, p *Params) {
	d.decayTo(t, p)
	d.Flapping = false
}
