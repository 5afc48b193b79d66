package notify

import (
	"fmt"
	"slices"
	"time"
)

// Kinds of notification. A start kind is urgent (quiet hours do not hold
// it back); an end kind is not.
const (
	OutageStart   = "outage_start"
	OutageEnd     = "outage_end"
	FlappingStart = "flapping_start"
	FlappingEnd   = "flapping_end"
	// Degraded and WeakCoverage are events, not incidents (events.go).
	Degraded     = "degraded"
	WeakCoverage = "weak_coverage"
)

// Kinds lists every kind, for metrics and API filters.
var Kinds = []string{OutageStart, OutageEnd, FlappingStart, FlappingEnd, Degraded, WeakCoverage, DispatchFirst, DispatchSecond, DispatchLead,
	EscalationLimit, MaintenanceNotice, MaintenanceReminder}

// Urgent reports whether kind goes out during a contact's quiet hours:
// starts, dispatches and escalations.
func Urgent(kind string) bool {
	return kind == OutageStart || kind == FlappingStart || slices.Contains(dispatchKinds, kind)
}

// Channel names.
const (
	Email   = "email"
	SMS     = "sms"
	Webhook = "webhook"
)

// Rule is what one customer tier is told, when, and how.
type Rule struct {
	// OutageAfter is how long an outage lasts before the customer hears
	// of it: the start message is due at incident start + OutageAfter, and
	// an outage that ends sooner sends nothing (no start, no recovery).
	// Zero disables outage messages.
	OutageAfter time.Duration
	// Flapping sends one message when a line starts flapping and one when
	// it is stable again, FlappingAfter after the flapping began.
	Flapping      bool
	FlappingAfter time.Duration
	// DegradedAfter tells of a line's degradation (loss, RTT or jitter
	// over its thresholds, no outage) that lasted at least this long; line
	// health records a degradation when it ends, so the message says what
	// happened and for how long. Zero disables it.
	DegradedAfter time.Duration
	// WeakCoverage tells when a grid cell holding one of the customer's
	// sites turns weak (a weak-coverage event of controller/coverage).
	WeakCoverage bool
	// Roles are the contact roles told ("primary", "secondary", …).
	Roles []string
	// AccountManager tells the customer's account manager (when it is an
	// email address).
	AccountManager bool
	// Ops tells the ops on-call (Options.Ops), one message per incident.
	Ops bool
	// Channels are used for contacts: "email" (contact email), "sms"
	// (contact phone).
	Channels []string
	// Webhooks are names of configured webhooks told per customer.
	Webhooks []string
}

// notifies reports whether the rule sends anything for an incident kind,
// and the delay of its start message.
func (r Rule) notifies(incidentKind string) (time.Duration, bool) {
	switch incidentKind {
	case "outage":
		return r.OutageAfter, r.OutageAfter > 0
	case "flapping":
		return r.FlappingAfter, r.Flapping
	}
	return 0, false
}

// DefaultRules are the rules of each tier unless the config replaces them:
// AB-class and diamond customers hear of an outage within a minute (30 s)
// on email and SMS, of degradations of 10 min or more and of weak
// coverage at their sites; gold of outages after 2 min and degradations
// of 30 min by email; silver of outages after 5 min by email and never of
// flapping; standard customers not at all (ops still do).
func DefaultRules() map[string]Rule {
	key := Rule{OutageAfter: 30 * time.Second, Flapping: true, FlappingAfter: 0, DegradedAfter: 10 * time.Minute,
		WeakCoverage: true, Roles: []string{"primary", "secondary"}, AccountManager: true, Ops: true,
		Channels: []string{Email, SMS}}
	gold := Rule{OutageAfter: 2 * time.Minute, Flapping: true, FlappingAfter: 5 * time.Minute, DegradedAfter: 30 * time.Minute,
		Roles: []string{"primary"}, AccountManager: true, Ops: true, Channels: []string{Email}}
	silver := Rule{OutageAfter: 5 * time.Minute, Roles: []string{"primary"}, Ops: true, Channels: []string{Email}}
	standard := Rule{OutageAfter: 10 * time.Minute, Ops: true}
	diamond := key
	diamond.Roles, diamond.Channels = slices.Clone(key.Roles), slices.Clone(key.Channels) // no shared arrays
	return map[string]Rule{"ab_group": key, "diamond": diamond, "gold": gold, "silver": silver, "standard": standard}
}

// check names what is wrong with a rule, given the webhook names known.
func (r Rule) check(webhooks map[string]bool) error {
	for _, c := range r.Channels {
		if c != Email && c != SMS {
			return fmt.Errorf("channels: %q is not email or sms (webhooks go under webhooks)", c)
		}
	}
	for _, w := range r.Webhooks {
		if !webhooks[w] {
			return fmt.Errorf("webhooks: %q is not a configured webhook", w)
		}
	}
	if r.OutageAfter < 0 || r.FlappingAfter < 0 || r.DegradedAfter < 0 {
		return fmt.Errorf("outage_after, flapping_after and degraded_after must not be negative")
	}
	return nil
}

func (r Rule) uses(channel string) bool { return slices.Contains(r.Channels, channel) }
