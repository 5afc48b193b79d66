// Package http is the "http" probe type: it fetches a URL the way a customer's
// browser would from the agent's site and times each phase with
// net/http/httptrace: dns_ms, connect_ms, tls_ms (each summed over the
// redirect chain; absent when the phase did not happen, e.g. dns_ms for an IP
// literal), ttfb_ms (round start to the first byte of the final response) and
// total_ms (round start to the end of the body read, or to the headers when
// the body is not read).
//
// The body is read only when options.download or options.body_regex asks for
// it, and never beyond options.max_bytes (default 1 MiB); then the sample
// carries bytes and, with download, throughput_kbps: kilobits per second over
// the body transfer alone (first response byte to last byte read), so a slow
// server think time does not pass for a slow line.
//
// Every round uses a fresh connection: see Prober.transport.
//
// Failed rounds still return one sample with ok=0, the error class and what
// was measured: "status" (status not expected, or too many redirects),
// "body" (body_regex did not match), "config" (target is not an http(s) URL),
// or probe.Classify's classes for network and TLS failures.
package http
