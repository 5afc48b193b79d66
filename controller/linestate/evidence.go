package linestate

import (
	"fmt"
	"time"
)

// Kind says what a piece of evidence tells about a line.
type Kind uint8

const (
	// ProbeOK: a probe round got through the line (a ping round with at
	// least one reply, a dial or HTTP round whose far end answered). It may
	// carry Metrics for degradation.
	ProbeOK Kind = iota + 1
	// ProbeFail: a probe round got nothing back (every ping of the round
	// lost, a dial or HTTP timeout). One failed round is not an outage: the
	// line goes down after Params.FailRounds consecutive ones.
	ProbeFail
	// DownSignal: a trustworthy statement that the line is down right now:
	// a linkDown trap, an SNMP poll reading oper status down.
	DownSignal
	// UpSignal: the port is up (linkUp trap, oper status up). It ends an
	// outage only when probes do not contradict it: a port can be up while
	// the circuit behind it passes nothing.
	UpSignal
	// FlapBetween: the line went down and up again somewhere in [From,
	// Time] without anyone seeing either edge (snmp_event unseen_flap:
	// ifLastChange moved between two polls that read the same status).
	FlapBetween
	// Silence: the controller lost contact with agent Source at Time (a
	// heartbeat gap). Silence is an arrival-time fact, not an event-time
	// one (the agent may be spooling results), so it only moves the
	// provisional view to unknown; the final view infers silence from gaps
	// in event time (Params.SilenceAfter). The controller does not feed
	// it: agent liveness is the registry's judgment (controller/registry),
	// and an agent offline there may be spooling results that fill the gap
	// later, so line health goes by gaps in the evidence alone.
	Silence
)

var kindNames = [...]string{"", "probe_ok", "probe_fail", "down_signal", "up_signal", "flap_between", "silence"}

func (k Kind) String() string {
	if int(k) < len(kindNames) && k != 0 {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Metrics are one probe round's quality figures, used for degradation.
type Metrics struct {
	// LossPct is the round's packet loss in percent (0–100).
	LossPct float64
	// RTTMs is the round's average round-trip time in milliseconds.
	RTTMs float64
	// JitterMs is the round's jitter (RTT standard deviation) in milliseconds.
	JitterMs float64
}

// Evidence is one observation about one line, in event time. Every input of
// the detector is Evidence: ping, dial and HTTP results, SNMP oper status,
// traps, unseen flaps and agent silence (FromResult builds it from a result).
type Evidence struct {
	// Line is the line's circuit id (the "line" tag).
	Line string
	// Source is who observed it: an agent id, or for SNMP the agent and
	// device. Silence evidence names an agent and applies to all of that
	// agent's probes on the line.
	Source string
	// Probe distinguishes several observations by one Source of one line
	// (measurement and target, or device interface). Source, Probe and Time
	// identify a piece of evidence: a second copy is a duplicate.
	Probe string
	// Time is event time: when the round ran or the change happened, on the
	// observer's clock. For FlapBetween it is the latest the flap can have
	// ended.
	Time time.Time
	// Kind says what the evidence tells.
	Kind Kind
	// From is, for FlapBetween only, the earliest the flap can have started.
	From time.Time
	// Metrics are the round's quality figures when HasMetrics is set
	// (ProbeOK and ProbeFail only).
	Metrics    Metrics
	HasMetrics bool
	// Confirm marks a confirmation round (ProbeOK and ProbeFail only): the
	// agent re-probed a failed target at its short confirmation interval
	// (the result's confirm field). It is a round like any other for
	// FailRounds and MinFlapRounds, with the same Source and Probe and its
	// own event time; it neither sets the source's interval (silence) nor
	// feeds degradation, because it is not a sample taken on the schedule.
	Confirm bool
}

func (e *Evidence) validate() error {
	switch {
	case e.Line == "":
		return fmt.Errorf("evidence: empty line")
	case e.Source == "":
		return fmt.Errorf("evidence for line %s: empty source", e.Line)
	case e.Time.IsZero():
		return fmt.Errorf("evidence for line %s: zero time", e.Line)
	case e.Kind < ProbeOK || e.Kind > Silence:
		return fmt.Errorf("evidence for line %s: unknown kind %d", e.Line, e.Kind)
	case e.Kind == FlapBetween && (e.From.IsZero() || e.From.After(e.Time)):
		return fmt.Errorf("evidence for line %s: flap_between needs From <= Time", e.Line)
	}
	return nil
}
