package linestate

import (
	"errors"
	"fmt"
	"time"
)

// Params are the thresholds of one profile (usually a customer tier: a
// diamond customer's line may go down after fewer missed rounds and be
// called degraded at lower loss than a standard one). DefaultParams gives
// the values the README explains; a zero Params is invalid.
type Params struct {
	// FailRounds (k) is how many consecutive failed rounds of one source
	// take the line from up to down, when every other source that can see
	// the line has failed as many (doc.go, "Several sources"). It protects
	// alerts from a lost round.
	FailRounds int
	// RecoverRounds (m) is how many consecutive successful rounds of one
	// source take a down line back up; another source's failures neither
	// reset nor hold them. The outage still ends at the first answered
	// round; m only delays the decision.
	RecoverRounds int
	// MinFlapRounds is the shortest run of consecutive failed rounds of one
	// source that counts as a flap even though it stayed below FailRounds
	// (a 2-s interruption probed at 1 Hz fails two rounds). Set it equal to
	// FailRounds to count only flaps the line was declared down for.
	MinFlapRounds int
	// FlapThreshold: an outage shorter than this is a flap (瞬断).
	FlapThreshold time.Duration
	// SilenceAfter is how long a source may stay quiet before it counts as
	// silent; a source whose own interval is longer is given three of its
	// intervals, up to SilenceMax. When every source of a line is silent
	// the line is unknown, not down.
	SilenceAfter time.Duration
	SilenceMax   time.Duration
	// AnswerGrace is how long past its own interval a source's latest
	// round still speaks for the line (doc.go, "Several sources"): its
	// next round must be measured and delivered (the agent's batch_delay,
	// 250 ms by default) before its silence means anything. A source that
	// answered within its interval plus AnswerGrace keeps the line up
	// while another source fails.
	AnswerGrace time.Duration

	// Penalty is added for every flap and outage (as route-flap dampening
	// adds it for every withdrawal); it halves every HalfLife. Above
	// Suppress the line is flapping; it stops flapping when the penalty has
	// decayed to Reuse. MaxPenalty caps it so a line that flapped all night
	// is released at most HalfLife*log2(MaxPenalty/Reuse) after its last flap.
	Penalty    float64
	HalfLife   time.Duration
	Suppress   float64
	Reuse      float64
	MaxPenalty float64

	// LossPct, RTTMs and JitterMs are the degradation thresholds: a window
	// whose average exceeds any of them is degraded (0 disables that one).
	LossPct  float64
	RTTMs    float64
	JitterMs float64
	// DegradeWindow is the averaging window; windows are aligned to the
	// Unix epoch so every replay cuts them in the same place.
	DegradeWindow time.Duration
}

// DefaultParams are the defaults of issue 4 and route-flap dampening.
func DefaultParams() Params {
	return Params{
		FailRounds:    3,
		RecoverRounds: 2,
		MinFlapRounds: 2,
		FlapThreshold: 60 * time.Second,
		SilenceAfter:  30 * time.Second,
		SilenceMax:    30 * time.Minute,
		AnswerGrace:   500 * time.Millisecond,
		Penalty:       1000,
		HalfLife:      15 * time.Minute,
		Suppress:      2000,
		Reuse:         750,
		MaxPenalty:    12000, // reuse × 2^(60 min / 15 min): at most an hour suppressed
		LossPct:       5,
		DegradeWindow: 5 * time.Minute,
	}
}

// Validate reports every bad field at once.
func (p Params) Validate() error {
	var errs []error
	bad := func(field string, v any, why string) {
		errs = append(errs, fmt.Errorf("%s: %v %s", field, v, why))
	}
	if p.FailRounds < 1 || p.FailRounds > 1000 {
		bad("fail_rounds", p.FailRounds, "must be between 1 and 1000")
	}
	if p.RecoverRounds < 1 || p.RecoverRounds > 1000 {
		bad("recover_rounds", p.RecoverRounds, "must be between 1 and 1000")
	}
	if p.MinFlapRounds < 1 || p.MinFlapRounds > p.FailRounds {
		bad("min_flap_rounds", p.MinFlapRounds, "must be between 1 and fail_rounds")
	}
	if p.FlapThreshold <= 0 {
		bad("flap_threshold", p.FlapThreshold, "must be positive")
	}
	if p.SilenceAfter <= 0 || p.SilenceMax < p.SilenceAfter {
		bad("silence_after", p.SilenceAfter, "must be positive and not above silence_max")
	}
	if p.AnswerGrace < 0 || p.AnswerGrace > p.SilenceAfter {
		bad("answer_grace", p.AnswerGrace, "must be between 0 and silence_after")
	}
	if p.HalfLife <= 0 {
		bad("half_life", p.HalfLife, "must be positive")
	}
	if !(p.Penalty > 0) {
		bad("penalty", p.Penalty, "must be positive")
	}
	if !(p.Reuse > 0 && p.Reuse < p.Suppress && p.Suppress <= p.MaxPenalty) {
		bad("reuse/suppress/max_penalty", fmt.Sprintf("%g/%g/%g", p.Reuse, p.Suppress, p.MaxPenalty),
			"must satisfy 0 < reuse < suppress <= max_penalty")
	}
	if p.LossPct < 0 || p.LossPct > 100 || p.RTTMs < 0 || p.JitterMs < 0 {
		bad("loss_pct/rtt_ms/jitter_ms", fmt.Sprintf("%g/%g/%g", p.LossPct, p.RTTMs, p.JitterMs),
			"must not be negative (loss at most 100)")
	}
	if p.DegradeWindow < time.Second {
		bad("degrade_window", p.DegradeWindow, "must be at least 1s")
	}
	return errors.Join(errs...)
}

func (p *Params) degradeOn() bool { return p.LossPct > 0 || p.RTTMs > 0 || p.JitterMs > 0 }
