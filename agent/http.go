package agent

// Health answers /healthz: the agent is healthy while it runs; NATS being
// unreachable is reported but is not unhealthy, because queuing results
// through an outage is the agent doing its job.
func (a *Agent) Health() (bool, map[string]any) {
	a.mu.Lock()
	nc := a.nc
	a.mu.Unlock()
	st := a.Stats()
	return true, map[string]any{
		"agent":          a.cfg.AgentID,
		"version":        a.version,
		"nats_connected": nc != nil && nc.IsConnected(),
		"queued_results": st.Queued,
		"published":      st.Published,
		"dropped":        st.Dropped,
		"jobs":           a.jobCount(),
		"config_rev":     a.Revision(),
	}
}
