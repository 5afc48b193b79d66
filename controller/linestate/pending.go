package linestate

import (
	"math"
	"time"
)

// pend is one buffered piece of evidence, packed to 16 bytes because the
// reorder buffer holds every line's last horizon of evidence: at 50,000
// lines probed every second with a 15-minute horizon that is 45 million of
// them. Metrics are stored in fixed point (loss in 0.01 %, RTT and jitter
// in 0.1 ms, saturating at 6.5 s), which is finer than any threshold an
// operator sets. For FlapBetween the two metric slots hold the flap's
// window (T - From) in milliseconds instead.
//
// Fields are exported for gob (snapshot.go); the type is not.
type pend struct {
	T      int64  // event time, Unix ns
	Src    uint8  // index into line.srcs
	Kind   Kind   // with confirmBit set for a confirmation round (kind, confirm)
	Loss   uint16 // 0.01 %; lossNone when the round carried no metrics
	RTT    uint16 // 0.1 ms
	Jitter uint16 // 0.1 ms
}

const lossNone = math.MaxUint16

// confirmBit marks a confirmation round in pend.Kind, keeping pend at 16
// bytes (kinds are below 8).
const confirmBit Kind = 0x80

func packPend(e *Evidence, src uint8) pend {
	p := pend{T: e.Time.UnixNano(), Src: src, Kind: e.Kind, Loss: lossNone}
	if e.Confirm && (e.Kind == ProbeOK || e.Kind == ProbeFail) {
		p.Kind |= confirmBit
	}
	switch {
	case e.Kind == FlapBetween:
		ms := uint64(e.Time.Sub(e.From) / time.Millisecond)
		if ms > math.MaxUint32 {
			ms = math.MaxUint32
		}
		p.RTT, p.Jitter = uint16(ms>>16), uint16(ms)
	case e.HasMetrics:
		p.Loss = fixed(e.Metrics.LossPct, 100, 10000)
		p.RTT = fixed(e.Metrics.RTTMs, 10, math.MaxUint16)
		p.Jitter = fixed(e.Metrics.JitterMs, 10, math.MaxUint16)
	}
	return p
}

func fixed(v, scale, max float64) uint16 {
	v = math.Round(v * scale)
	switch {
	case !(v > 0): // also NaN
		return 0
	case v > max:
		return uint16(max)
	}
	return uint16(v)
}

// from is the start bound of a FlapBetween.
func (p *pend) from() int64 {
	ms := int64(p.RTT)<<16 | int64(p.Jitter)
	return p.T - ms*int64(time.Millisecond)
}

func (p *pend) hasMetrics() bool { return p.Loss != lossNone && p.kind() != FlapBetween }

// kind is what the evidence says, without the confirmation mark.
func (p *pend) kind() Kind { return p.Kind &^ confirmBit }

// confirm reports a confirmation round.
func (p *pend) confirm() bool { return p.Kind&confirmBit != 0 }

func (p *pend) lossPct() float64 { return float64(p.Loss) / 100 }
func (p *pend) rttMs() float64   { return float64(p.RTT) / 10 }
func (p *pend) jitMs() float64   { return float64(p.Jitter) / 10 }
