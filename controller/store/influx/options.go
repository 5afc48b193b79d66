package influx

import (
	"errors"
	"net/http"
	"time"
)

// Options configure a Writer. Zero values take the defaults documented on
// each field.
type Options struct {
	// URL is the InfluxDB server's base URL, such as http://127.0.0.1:8086.
	URL string
	// Org is the InfluxDB 2.x organisation name. InfluxDB 1.8 ignores it;
	// leave it empty there.
	Org string
	// Bucket is the InfluxDB 2.x bucket, or "database/retention-policy" on
	// InfluxDB 1.8 (for example "vantage/autogen").
	Bucket string
	// Token is the InfluxDB 2.x API token, or "user:password" on an
	// InfluxDB 1.8 server with authentication enabled, or empty without it.
	Token string
	// BatchSize is the largest number of points in one write request.
	// Default 5000: InfluxDB's own guidance is 5,000 to 10,000 lines, and a
	// smaller request makes bisecting a rejected batch cheaper.
	BatchSize int
	// Parallel is how many write requests one Write call keeps in flight.
	// Default 2: enough to overlap one request's network and fsync wait with
	// the server parsing another, without crowding a small server.
	Parallel int
	// RequestTimeout bounds one HTTP write request. Default 30s, well above
	// the time a healthy server takes for BatchSize points, so a timeout
	// means the server is in trouble, not merely busy.
	RequestTimeout time.Duration
	// MinBackoff is the first wait before retrying a transient failure; it
	// doubles per attempt up to MaxBackoff, with jitter so that several
	// controllers do not hammer a recovering server in step. Default 200ms.
	MinBackoff time.Duration
	// MaxBackoff caps the wait between retries. Default 10s: an outage is
	// noticed as over within 10 s of its end.
	MaxBackoff time.Duration
	// UnhealthyAfter is how long writes must keep failing before Healthy
	// reports an error. Default 30s, so one failed request that a retry
	// fixes does not flip /healthz.
	UnhealthyAfter time.Duration
	// HTTPClient replaces the HTTP client, for TLS settings or a proxy. Nil
	// builds one with RequestTimeout and Parallel idle connections.
	HTTPClient *http.Client
}

func (o *Options) setDefaults() error {
	if o.URL == "" {
		return errors.New("influx: URL is required")
	}
	if o.Bucket == "" {
		return errors.New("influx: Bucket is required (\"database/retention-policy\" on InfluxDB 1.8)")
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 5000
	}
	if o.Parallel <= 0 {
		o.Parallel = 2
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 30 * time.Second
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 200 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 10 * time.Second
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = o.MinBackoff
	}
	if o.UnhealthyAfter <= 0 {
		o.UnhealthyAfter = 30 * time.Second
	}
	return nil
}
