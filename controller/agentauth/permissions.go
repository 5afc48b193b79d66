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

// InboxPrefix is agent id's reply-subject prefix (nats.CustomInboxPrefix),
// "_INBOX_<id>": replies to its requests (JetStream publish acks, KV gets)
// and its KV watch's deliveries arrive below it, and it may subscribe
// nowhere else. The agent (agent/nats.go) builds the same string. No two
// agents' prefixes overlap: an id is one subject token, so "_INBOX_a.>"
// never matches "_INBOX_a-b.x".
func InboxPrefix(agentID string) string { return "_INBOX_" + agentID }

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
// Subscribe: InboxPrefix(id)+".>" only. Not "_INBOX.>": with it one agent
// could subscribe to every reply in the server and read other agents'
// configs and the controller's result pulls (issue 10, attack 1). A reply
// subject is not checked by publish permissions, so an agent can still
// direct replies to its own requests elsewhere; it can only ask for its
// own data, so that leaks nothing of anyone else's.
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
		Subscribe: &server.SubjectPermission{Allow: []string{InboxPrefix(agentID) + ".>"}},
	}
}
