// Package dial is the "dial" probe type: one configured probe checks that a
// service answers, with one kind per probe (options.kind):
//
//   - tcp: connect to host:port; the sample carries connect_ms.
//   - dns: ask a configured server (options.server) for the A or AAAA
//     records of the target name over UDP, again over TCP when the UDP answer
//     is truncated; the sample carries dns_ms.
//   - tls: connect to host:port and complete a TLS handshake, verifying the
//     certificate by default; the sample carries connect_ms, tls_ms and
//     cert_days_left, the days until the leaf certificate expires.
//
// For tcp and tls, a target given by name is resolved first with the system
// resolver, timed as dns_ms, so a slow resolver is not mistaken for a slow
// connect.
//
// Every sample is measurement "dial" with tag kind and field ok (0/1). A
// failed round still returns one sample, with ok=0, the error class
// (probe.Classify plus "answer" and "dns" for DNS replies) and whatever
// timings were measured before the failure, so an expired certificate still
// reports its negative cert_days_left.
package dial
