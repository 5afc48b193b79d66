package agentauth

import "github.com/nats-io/nats-server/v2/server"

// Names the permissions are built from; DESIGN.md's contracts.
const (
	// ConfigBucket is the JetStream KV bucket holding each agent's probe
	// set, keyed by agent id. Its stream is "KV_" + ConfigBucket.
	ConfigBucket = "VANTAGE_AGENT_CONFIG"
	configStream = "KV_" + ConfigBucket
	configKey    = "$KV." + ConfigBucket + "." // + agent id: the key's subject
)

// Permissions are what agent id may do on the server: an allow-list, so
// everything not named is refused with a permissions violation.
//
// Publish:
//   - vantage.results.<id>, vantage.heartbeat.<id>, vantage.config.status.<id>:
//     its own results, heartbeats and config verdicts, never another agent's.
//   - $JS.API.STREAM.INFO.KV_VANTAGE_AGENT_CONFIG: opening the bucket
//     (jetstream.KeyValue) reads the stream's config. It reveals the
//     bucket's size and key count, not any value.
//   - $JS.API.DIRECT.GET.KV_VANTAGE_AGENT_CONFIG.$KV.VANTAGE_AGENT_CONFIG.<id>:
//     KV Get of its own key. The key is in the subject, so it can be
//     enforced. This needs the bucket's allow_direct (the nats.go default
//     when creating a KV); the non-direct $JS.API.STREAM.MSG.GET carries
//     the key in the body and is therefore not allowed.
//   - $JS.API.CONSUMER.CREATE.KV_VANTAGE_AGENT_CONFIG.*.$KV.VANTAGE_AGENT_CONFIG.<id>:
//     KV Watch of its own key: an ordered consumer whose filter subject is
//     in the API subject, which the server checks against the request body.
//   - $JS.FC.KV_VANTAGE_AGENT_CONFIG.>: flow-control replies of that
//     ordered consumer.
//
// Subscribe: _INBOX.> — replies to its requests (JetStream publish acks,
// KV gets) and the watch's deliveries. nats.go's inboxes are random, but
// this pattern lets a rogue agent that also subscribes to the wildcard see
// replies meant for others (their acks and config values). Closing that
// needs per-agent inbox prefixes in the agent (nats.CustomInboxPrefix
// "_INBOX_<id>") and then "_INBOX_<id>.>" here.
//
// Not allowed: consumer delete/info, stream or KV writes, anything else of
// $JS.API. A watcher's Stop then fails to delete its consumer; that is
// harmless because ordered consumers are ephemeral and expire unused.
func Permissions(agentID string) *server.Permissions {
	return &server.Permissions{
		Publish: &server.SubjectPermission{Allow: []string{
			"vantage.results." + agentID,
			"vantage.heartbeat." + agentID,
			"vantage.config.status." + agentID,
			"$JS.API.STREAM.INFO." + configStream,
			"$JS.API.DIRECT.GET." + configStream + "." + configKey + agentID,
			"$JS.API.CONSUMER.CREATE." + configStream + ".*." + configKey + agentID,
			"$JS.FC." + configStream + ".>",
		}},
		Subscribe: &server.SubjectPermission{Allow: []string{"_INBOX.>"}},
	}
}
