// Package e2e holds tests that run the real binaries' assemblies together:
// agent → NATS JetStream → controller → InfluxDB, with real servers.
package e2e
