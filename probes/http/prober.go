package http

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"slices"
	"time"

	"github.com/vantage-net/vantage/probes/probe"
)

// Measurement is the measurement of every http sample.
const Measurement = "http"

// ErrConfig is the error class of a target that is not an http(s) URL: a
// config mistake, not an outage.
const ErrConfig = "config"

// userAgent names the probe in the server's access log, so a service owner
// can tell synthetic traffic from customers.
const userAgent = "vantage-probe/1"

// Descriptor registers the http probe type (see probes/registry.go).
var Descriptor = probe.Descriptor{Measurement: Measurement, New: New, ValidateTarget: ValidateTarget}

// Prober fetches URLs with one probe's options. It shares nothing between
// rounds, so concurrent rounds need no locking.
type Prober struct {
	cfg *config
	// dial opens connections; a seam for tests, net.Dialer in production.
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// New builds a Prober from a probe's spec (the registry's Factory).
func New(spec probe.Spec) (probe.Prober, error) {
	cfg, err := decodeOptions(spec.File, &spec.Options)
	if err != nil {
		return nil, err
	}
	// An unbound Source dials as a plain net.Dialer. Host names are still
	// resolved by the host's resolver, not over the bound uplink.
	return &Prober{cfg: cfg, dial: spec.Source.DialContext}, nil
}

// transport is made fresh for every round, with no shared TLS session
// cache: a pooled connection or a resumed session would report connect_ms
// and tls_ms of zero after the first round and hide exactly the slow
// handshakes a customer meets on a new page load. Within one round a
// redirect to the same host reuses the connection, as a browser would.
//
// No proxy is taken from the environment: the probe measures the path from
// the site to the service. Compression is off so bytes and throughput count
// what crossed the line, not what it inflated to.
func (p *Prober) transport() *http.Transport {
	return &http.Transport{
		DialContext:        p.dial,
		TLSClientConfig:    &tls.Config{RootCAs: p.cfg.roots, InsecureSkipVerify: p.cfg.insecure},
		ForceAttemptHTTP2:  true,
		DisableCompression: true,
	}
}

// Probe fetches target once and returns exactly one sample.
func (p *Prober) Probe(ctx context.Context, target string) []probe.Sample {
	fields := map[string]float64{}
	err := p.fetch(ctx, target, fields)
	s := probe.Sample{Tags: map[string]string{}, Fields: fields}
	if err != nil {
		fields["ok"] = 0
		s.Error, s.Detail = probe.Classify(err), err.Error()
		return []probe.Sample{s}
	}
	fields["ok"] = 1
	return []probe.Sample{s}
}

func (p *Prober) fetch(ctx context.Context, target string, fields map[string]float64) error {
	if _, err := parseTarget(target); err != nil {
		return &probe.ClassError{Class: ErrConfig, Err: err}
	}
	t := newTimings()
	defer t.fill(fields)
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, t.clientTrace()), p.cfg.method, target, nil)
	if err != nil {
		return &probe.ClassError{Class: ErrConfig, Err: err}
	}
	req.Header.Set("User-Agent", userAgent)
	for k, v := range p.cfg.headers {
		if http.CanonicalHeaderKey(k) == "Host" {
			req.Host = v
		} else {
			req.Header.Set(k, v)
		}
	}
	tr := p.transport()
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, CheckRedirect: p.checkRedirect}
	resp, err := client.Do(req)
	if resp != nil {
		// Also after too many redirects: the last status says where it looped.
		fields["status"] = float64(resp.StatusCode)
		defer resp.Body.Close()
	}
	if err != nil {
		return err
	}
	var body []byte
	if p.cfg.download || p.cfg.bodyRegex != nil {
		body, err = p.readBody(resp, t, fields)
	}
	fields["total_ms"] = probe.Timing(time.Since(t.start))
	if err != nil {
		return err
	}
	// Status first: a 503 page that lacks the expected text is a status
	// problem, and saying "body" would send the operator the wrong way.
	if err := p.checkStatus(resp.StatusCode); err != nil {
		return err
	}
	if p.cfg.bodyRegex != nil && !p.cfg.bodyRegex.Match(body) {
		return &probe.ClassError{Class: probe.ErrBody, Err: fmt.Errorf("body (first %d bytes) does not match %s", len(body), p.cfg.bodyRegex)}
	}
	return nil
}

// readBody reads up to max_bytes and sets bytes and, with download,
// throughput_kbps. It keeps the body only when body_regex needs it.
func (p *Prober) readBody(resp *http.Response, t *timings, fields map[string]float64) ([]byte, error) {
	var body []byte
	var n int64
	var err error
	limited := io.LimitReader(resp.Body, p.cfg.maxBytes)
	if p.cfg.bodyRegex != nil {
		body, err = io.ReadAll(limited)
		n = int64(len(body))
	} else {
		n, err = io.Copy(io.Discard, limited)
	}
	end := time.Now()
	fields["bytes"] = float64(n)
	if err != nil {
		return nil, fmt.Errorf("reading the body after %d bytes: %w", n, err)
	}
	if first := t.firstByteAt(); p.cfg.download && !first.IsZero() {
		if secs := end.Sub(first).Seconds(); secs > 0 {
			fields["throughput_kbps"] = float64(n) * 8 / 1000 / secs
		}
	}
	return body, nil
}

func (p *Prober) checkStatus(code int) error {
	if p.cfg.expect == nil {
		if code >= 200 && code <= 399 {
			return nil
		}
		return &probe.ClassError{Class: probe.ErrStatus, Err: fmt.Errorf("status %d, want 2xx or 3xx", code)}
	}
	if slices.Contains(p.cfg.expect, code) {
		return nil
	}
	return &probe.ClassError{Class: probe.ErrStatus, Err: fmt.Errorf("status %d, want one of %v", code, p.cfg.expect)}
}

// checkRedirect is the client's redirect policy. via holds the requests
// already made, so len(via) redirects have been followed once this returns.
func (p *Prober) checkRedirect(_ *http.Request, via []*http.Request) error {
	if !p.cfg.follow {
		return http.ErrUseLastResponse
	}
	if len(via) > p.cfg.maxRedirects {
		return &probe.ClassError{Class: probe.ErrStatus, Err: fmt.Errorf("stopped after %d redirects (max_redirects)", p.cfg.maxRedirects)}
	}
	return nil
}
