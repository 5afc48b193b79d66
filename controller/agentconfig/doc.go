// Package agentconfig publishes each agent's probe set to the JetStream KV
// bucket the agents watch (agent/remote has the contract) and records what
// the agents answered.
//
// Put validates with the agent's own config rules (agent/config and the
// probes registry) so an invalid config is never published; the agent
// checks again, since probe options are only decoded when the probe is
// built, and reports on vantage.config.status.<agent_id>.
package agentconfig
