// Package lite is a small Prometheus client: counters, gauges, gauge and
// counter functions, histograms, label vectors, a registry and the text
// exposition format, with the names and behaviour of
// github.com/prometheus/client_golang that the agent uses. It exists for
// size: client_golang brings google.golang.org/protobuf (its data model is
// protobuf messages), about 3 MB of a 13 MB MIPS agent. Edge builds
// (-tags vantage_lite, see internal/metrics) use it; the parity test holds
// its output to client_golang's for the same operations.
package lite
