// Package registry is the controller's agent registry: what the controller
// knows about each agent from its heartbeats on vantage.heartbeat.<agent_id>.
//
// Per agent it keeps online / offline, last seen, version, config revision,
// spool depth and clock offset. An agent is offline after MissedHeartbeats of
// its own heartbeat interval without a heartbeat; silence is judged on the
// controller's clock, never the agent's, because the agent's clock may be the
// thing that is wrong. A clock offset beyond MaxClockOffset is flagged:
// results carry the agent's timestamps (event time), so a skewed agent
// misplaces its outages.
//
// The registry serves GET /api/v1/agents, queues the `agent` InfluxDB
// measurement for dashboards (controller/shipper ships it) and keeps its last state in the controller's
// database so a restarted controller still lists every agent (offline until
// heard again).
//
// The registry is the one judge of an agent's liveness. Line health
// (controller/linehealth) judges lines, not agents: a line is unknown when
// no evidence about it has come for silence_after, whatever the registry
// says of the agent (an online agent may have nothing to say about a line;
// an offline one may be spooling results that fill the gap later).
//
// An agent's site is the inventory's (sites.agent, Options.Sites), never
// its heartbeat's claim: a differing claim is counted and logged (sites.go).
package registry
