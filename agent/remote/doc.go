// Package remote applies the configuration the controller publishes for this
// agent, without restarting it.
//
// Contract with the controller (controller/agentconfig):
//   - JetStream KV bucket VANTAGE_AGENT_CONFIG, key = agent id, value = YAML
//     in agent.yaml's format restricted to config.RemoteKeys (agent_id, site,
//     probes, heartbeat_interval). Connection, spool and process settings
//     stay with the local file; a remote config setting them is refused.
//   - After each revision the agent publishes a Status on core NATS subject
//     vantage.config.status.<agent_id>: applied, or refused with the reason
//     (file:line, field path, value) while the previous config keeps running.
//   - The heartbeat's config_rev is the revision running; 0 is the local file.
//
// The last applied config is kept in remote_config.cache_file (written
// atomically), and the agent starts from it when NATS is unreachable at boot.
package remote
