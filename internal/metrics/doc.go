// Package metrics is the Prometheus client the agent's packages import. By
// default its names are client_golang's own (type aliases), so the
// controller, the tests and the e2e harness pass *prometheus.Registry
// around as before. Built with -tags vantage_lite (make dist builds the
// agent so) the same names come from internal/metrics/lite, and the agent
// links neither client_golang nor protobuf: about 3 MB less on MIPS. The
// tag is for building the agent binary only: internal/serve.Mux, which the
// controller uses, is not in it, and the agent packages' tests hand
// client_golang registries to their code, so tests run without the tag.
package metrics
