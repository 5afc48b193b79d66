package influx

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"time"

	http2 "github.com/influxdata/influxdb-client-go/v2/api/http"
)

// Error classes, the label values of vantage_controller_influx_write_errors_total.
const (
	classNetwork   = "network"
	classTimeout   = "timeout"
	classServer    = "server"
	classThrottled = "throttled"
	classAuth      = "auth"
	classNotFound  = "not_found"
	classRejected  = "rejected"
	classTooLarge  = "too_large"
	classOther     = "other"
)

// action is what Write does after a failed request.
type action int

const (
	// retry sends the same points again after a backoff: the failure says
	// nothing about the points themselves.
	retry action = iota
	// split bisects the points: the server refused something in them.
	split
)

// classify maps a write error to its class, what to do next, and the wait
// the server asked for (Retry-After), if any.
//
// 401/403 and 404 are retried, not split: they mean a wrong token or a
// missing database, which an operator fixes; dead-lettering every point in
// the meantime would throw good data away. Messages back up in JetStream
// instead, and Healthy says why.
func classify(err error) (class string, act action, wait time.Duration) {
	var he *http2.Error
	if !errors.As(err, &he) || he.StatusCode == 0 {
		var ne net.Error
		if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
			return classTimeout, retry, 0
		}
		return classNetwork, retry, 0
	}
	wait = time.Duration(he.RetryAfter) * time.Second
	switch code := he.StatusCode; {
	case code == http.StatusBadRequest || code == http.StatusUnprocessableEntity:
		// 1.8 answers 400 "partial write: field type conflict ..." or
		// "points beyond retention policy"; 2.x answers 422 for the same and
		// 400 for unparsable lines.
		return classRejected, split, 0
	case code == http.StatusRequestEntityTooLarge:
		return classTooLarge, split, 0
	case code == http.StatusTooManyRequests:
		return classThrottled, retry, wait
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return classAuth, retry, wait
	case code == http.StatusNotFound:
		return classNotFound, retry, wait
	case code >= 500:
		return classServer, retry, wait
	default:
		return classOther, retry, wait
	}
}

// maxRetryAfter caps a server's Retry-After so a bogus header cannot park
// the ingest for hours.
const maxRetryAfter = time.Minute

// backoff returns the wait before retry number attempt (0-based): doubling
// from MinBackoff up to MaxBackoff, jittered to between half and all of it
// so several controllers spread out, and at least what the server asked.
func (o *Options) backoff(attempt int, serverWait time.Duration) time.Duration {
	d := o.MinBackoff
	for i := 0; i < attempt && d < o.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, o.MaxBackoff)
	d = d/2 + rand.N(d/2+1)
	return max(d, min(serverWait, maxRetryAfter))
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
