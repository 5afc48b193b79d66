// Package agentauth decides who may talk to the controller's embedded NATS
// server and what each agent may say there.
//
// Each agent's NATS user is its agent id, with a random 256-bit password
// issued by `vantage-controller agent add` and written once into the agent's
// config file (mode 0600). Only the password's SHA-256 is stored (SQLite,
// migration 0004). The embedded server checks every connect against the
// database through a custom authenticator (Guard), so a credential revoked
// by the CLI, in another process, is refused at the next connect with no
// server reload; Enforce disconnects live connections within its poll
// interval. The password travels in the NATS CONNECT: use TLS (TLSFiles)
// wherever the path between agent and controller is not trusted.
//
// Why not NKeys: the agent reads NKey seeds only from a .creds file
// (nats.UserCredentials), which sends a JWT; nats-server discards that JWT
// outside operator (decentralised JWT) mode, so neither its users nor a
// custom authenticator can tell which key a creds-file client holds.
// Operator mode would work but needs an operator, account signing keys and
// a resolver, and it breaks the broker's credential-less in-process
// connection.
//
// An agent may publish only on its own subjects, read only its own key of
// the config KV bucket, and subscribe only below its own inbox prefix
// "_INBOX_<id>" (permissions.go). What a subject permission cannot see —
// a consumer-create request asking for a durable consumer — the
// ConsumerLimiter undoes on the controller's side (consumers.go). Secrets
// never reach a log: refused connects are logged with the claimed user name
// and address only.
package agentauth
