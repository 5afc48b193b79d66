package linestate

import (
	"math"
	"time"

	"github.com/vantage-net/vantage/probes/result"
)

// FromResult turns one ingested result into evidence about its line. agent
// is the sending agent (results carry it in the subject, not in a tag).
// It returns false for results that say nothing about a line's state: no
// line tag, a measurement that is not line evidence (snmp scalars), or a
// failure that does not implicate the line (a DNS server's fault, an
// unclassified error).
//
// Which failures count: a round fails the line only when nothing came back
// through it (timeout, unreachable). A refused connection, a wrong HTTP
// status or body, a TLS or auth error all prove the far end answered, so
// the line carried traffic: that is a successful round for line state,
// whatever it says about the service.
func FromResult(agent string, r *result.Result) (Evidence, bool) {
	ln := r.Tags["line"]
	if ln == "" || agent == "" {
		return Evidence{}, false
	}
	ev := Evidence{Line: ln, Source: agent, Time: r.Time}
	f := r.Fields
	// A confirmation round (agent/schedule) carries the confirm field.
	ev.Confirm = f["confirm"] > 0 && (r.Measurement == "ping" || r.Measurement == "dial" || r.Measurement == "http")
	switch r.Measurement {
	case "ping":
		ev.Probe = "ping/" + r.Tags["target"]
		sent, okSent := f["sent"]
		if !okSent || sent <= 0 {
			return Evidence{}, false
		}
		ev.Kind = ProbeFail
		if f["recv"] > 0 {
			ev.Kind = ProbeOK
		}
		ev.Metrics = Metrics{LossPct: f["loss_pct"], RTTMs: f["rtt_avg_ms"], JitterMs: f["jitter_ms"]}
		ev.HasMetrics = ev.Kind == ProbeOK
	case "dial", "http":
		ev.Probe = r.Measurement + "/" + r.Tags["kind"] + "/" + r.Tags["target"]
		ok, has := f["ok"]
		switch {
		case !has:
			return Evidence{}, false
		case ok == 1, answered(r.Error):
			ev.Kind = ProbeOK
		case r.Error == "timeout" || r.Error == "unreachable":
			ev.Kind = ProbeFail
		default:
			return Evidence{}, false
		}
	case "snmp_if":
		ev.Source = agent + "/" + r.Tags["device"]
		ev.Probe = "snmp_if/" + r.Tags["ifindex"]
		up, has := f["oper_up"]
		if !has {
			return Evidence{}, false
		}
		ev.Kind = DownSignal
		if up == 1 {
			ev.Kind = UpSignal
		}
	case "snmp_event":
		ev.Source = agent + "/" + r.Tags["device"]
		ev.Probe = "snmp_event/" + r.Tags["source"] + "/" + r.Tags["ifindex"]
		switch r.Tags["kind"] {
		case "link_down":
			ev.Kind = DownSignal
		case "link_up":
			ev.Kind = UpSignal
		case "unseen_flap":
			ev.Kind = FlapBetween
			lo, hasLo := f["earliest_unix"]
			if !hasLo {
				return Evidence{}, false
			}
			ev.From = unixSeconds(lo)
			if hi, ok := f["latest_unix"]; ok {
				ev.Time = unixSeconds(hi)
			}
			if ev.From.After(ev.Time) {
				return Evidence{}, false
			}
		default:
			return Evidence{}, false // device restarts are not line evidence by themselves
		}
	default:
		return Evidence{}, false
	}
	return ev, true
}

// answered reports error classes that prove the far end replied.
func answered(class string) bool {
	switch class {
	case "refused", "status", "body", "answer", "tls", "auth", "protocol":
		return true
	}
	return false
}

func unixSeconds(s float64) time.Time {
	sec, frac := math.Modf(s)
	return time.Unix(int64(sec), int64(math.Round(frac*1e3))*int64(time.Millisecond)).UTC()
}
