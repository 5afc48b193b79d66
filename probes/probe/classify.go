package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"syscall"
)

// Error classes shared by the probe types. They become the "error" field of a
// failed result, so dashboards can group failures by cause.
const (
	ErrTimeout     = "timeout"     // no answer within the round's deadline
	ErrRefused     = "refused"     // TCP RST / ICMP port unreachable
	ErrUnreachable = "unreachable" // no route, host or network unreachable
	ErrDNS         = "dns"         // name resolution failed
	ErrTLS         = "tls"         // handshake or certificate verification failed
	ErrStatus      = "status"      // HTTP status not in the expected set
	ErrBody        = "body"        // body did not match the expected pattern
	ErrAnswer      = "answer"      // DNS answer not the expected one
	ErrAuth        = "auth"        // credentials refused (SNMPv3, ...)
	ErrProtocol    = "protocol"    // malformed or unexpected reply
	ErrOther       = "error"       // anything else
)

// ClassError is an error whose class the probe knows better than Classify
// would find it: a reply that arrived but was not the expected one (an
// HTTP status, a DNS answer), or a config mistake.
type ClassError struct {
	Class string
	Err   error
}

func (e *ClassError) Error() string { return e.Err.Error() }
func (e *ClassError) Unwrap() error { return e.Err }

// Classify maps a network error to one of the error classes above; a
// ClassError in err's chain gives its own class.
func Classify(err error) string {
	if err == nil {
		return ""
	}
	var ce *ClassError
	if errors.As(err, &ce) {
		return ce.Class
	}
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalidErr x509.CertificateInvalidError
	var recordErr tls.RecordHeaderError
	switch {
	case errors.As(err, &dnsErr):
		if dnsErr.IsTimeout {
			return ErrTimeout
		}
		return ErrDNS
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return ErrTimeout
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr),
		errors.As(err, &invalidErr), errors.As(err, &recordErr):
		return ErrTLS
	case errors.Is(err, syscall.ECONNREFUSED):
		return ErrRefused
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTDOWN):
		return ErrUnreachable
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return ErrTimeout
	}
	return ErrOther
}
