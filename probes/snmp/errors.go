package snmp

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gosnmp/gosnmp"

	"github.com/vantage-net/vantage/probes/probe"
)

// ErrConfig is the error class of a target that has no usable settings.
const ErrConfig = "config"

// classify turns a poll error into an error class and a message an operator
// can act on. The message never carries a credential: gosnmp's errors do not,
// and scrub removes any that would.
func classify(err error, target string, d Device) (class, detail string) {
	var pe *pduError
	switch {
	case errors.Is(err, gosnmp.ErrWrongDigest), strings.Contains(err.Error(), "not authentic"):
		// gosnmp reports a response signed with another key (net-snmp's
		// usmStatsWrongDigests report) only as text.
		class, detail = probe.ErrAuth, "SNMPv3 authentication failed: wrong digest (check v3.auth_protocol and v3.auth_password)"
	case errors.Is(err, gosnmp.ErrUnknownUsername):
		class, detail = probe.ErrAuth, "SNMPv3 user unknown to the device (check v3.user)"
	case errors.Is(err, gosnmp.ErrDecryption):
		class, detail = probe.ErrAuth, "SNMPv3 decryption failed (check v3.priv_protocol and v3.priv_password)"
	case errors.Is(err, gosnmp.ErrUnknownSecurityLevel):
		class, detail = probe.ErrAuth, "the device refuses this SNMPv3 security level for the user (check v3.level)"
	case errors.Is(err, gosnmp.ErrNotInTimeWindow), errors.Is(err, gosnmp.ErrUnknownEngineID):
		class, detail = probe.ErrAuth, "SNMPv3 engine time or id refused: "+err.Error()
	case errors.As(err, &pe) && (pe.status == gosnmp.AuthorizationError || pe.status == gosnmp.NoAccess):
		class, detail = probe.ErrAuth, "the device refused access ("+pe.status.String()+"): check its view or ACL for this community/user"
	case errors.As(err, &pe):
		class, detail = probe.ErrProtocol, err.Error()
	case timeoutErr(err):
		retries := 0
		if d.Retries != nil {
			retries = *d.Retries
		}
		class = probe.ErrTimeout
		detail = fmt.Sprintf("no answer from %s (request_timeout %s, %d retries): device down or unreachable, or it dropped the request for a wrong community / v3 user, as SNMP agents do silently", target, d.RequestTimeout, retries)
	default:
		class = probe.Classify(err)
		if class == probe.ErrOther && strings.Contains(err.Error(), "table walk") {
			class = probe.ErrProtocol
		}
		detail = err.Error()
	}
	return class, scrub(detail, d.secrets())
}

func timeoutErr(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, gosnmp.ErrMaxRetriesExceeded) {
		return true
	}
	if probe.Classify(err) == probe.ErrTimeout {
		return true
	}
	// gosnmp reports a read deadline as text in some paths.
	return strings.Contains(err.Error(), "timeout")
}
