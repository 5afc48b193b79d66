package publish

import "github.com/vantage-net/vantage/probes/result"

// outcome is what a round says about the path to its target.
type outcome int

const (
	roundUnknown outcome = iota // says nothing about the path (SNMP, a DNS failure, ...)
	roundOK                     // something came back
	roundFailed                 // nothing came back: timeout or unreachable
)

// roundOutcome classifies r as the controller's line state does
// (controller/linestate FromResult; the agent cannot import it): a round
// fails only when nothing came back through the path. A refused
// connection or a wrong HTTP status proves the far end answered.
func roundOutcome(r *result.Result) outcome {
	f := r.Fields
	switch r.Measurement {
	case "ping":
		if f["sent"] <= 0 {
			return roundUnknown
		}
		if f["recv"] > 0 {
			return roundOK
		}
		return roundFailed
	case "dial", "http":
		ok, has := f["ok"]
		switch {
		case !has:
			return roundUnknown
		case ok == 1:
			return roundOK
		case r.Error == "timeout" || r.Error == "unreachable":
			return roundFailed
		}
		switch r.Error {
		case "refused", "status", "body", "answer", "tls", "auth", "protocol":
			return roundOK
		}
	}
	return roundUnknown
}
