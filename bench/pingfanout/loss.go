package main

// lossPct is the agent's loss over the window between the scrapes m0 and
// m1: the requests whose round ended without their reply, in percent of
// the requests sent in the window. It is not sent minus replies: at the
// moment of a scrape some requests are always in flight (about a hundred at
// 20,000 targets a second, more while the scrape itself takes the CPU), and
// counting those as lost reported 0.008% for a run that lost nothing.
func lossPct(m0, m1 map[string]float64) float64 {
	n := m1[sentMetric] - m0[sentMetric]
	if n <= 0 {
		return 0
	}
	return 100 * (m1[unansweredMetric] - m0[unansweredMetric]) / n
}

// The agent's counters of its shared ping engine (probes/ping/metrics.go).
const (
	sentMetric       = "vantage_agent_ping_requests_sent_total"
	unansweredMetric = "vantage_agent_ping_requests_unanswered_total"
	// rawDropsKey is not the agent's: the bench adds the kernel's drop
	// count of the namespace's raw sockets to each scrape under this name.
	rawDropsKey = "bench_raw_socket_drops"
)
