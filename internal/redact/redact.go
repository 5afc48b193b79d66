// Package redact removes credentials from text the project logs or serves.
//
// Connection URLs may carry a user and password (InfluxDB 1.x behind a
// proxy, nats://user:pass@host): every URL that reaches a log line, an API
// answer or an error message goes through URL first, so there is one place
// that decides what a credential in a URL looks like.
package redact

import "strings"

// URL returns s with the user information (user:password@ or user@) of its
// authority removed: "http://u:p@influx:8086/x" → "http://influx:8086/x".
// It does not need s to parse: a password with characters url.Parse refuses
// must not survive because the URL was malformed. A comma-separated list
// (the form nats.Connect takes) is handled element by element. Text without
// user information comes back unchanged.
func URL(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	if strings.Contains(s, ",") {
		parts := strings.Split(s, ",")
		for i, p := range parts {
			parts[i] = one(p)
		}
		return strings.Join(parts, ",")
	}
	return one(s)
}

// URLs applies URL to each element, into a new slice.
func URLs(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = URL(s)
	}
	return out
}

func one(s string) string {
	start := 0
	if i := strings.Index(s, "://"); i >= 0 {
		start = i + 3
	}
	// The authority ends at the first '/', '?' or '#' after the scheme; the
	// user information ends at its last '@' (a password may hold '@').
	end := len(s)
	if i := strings.IndexAny(s[start:], "/?#"); i >= 0 {
		end = start + i
	}
	at := strings.LastIndex(s[start:end], "@")
	if at < 0 {
		return s
	}
	return s[:start] + s[start+at+1:]
}
