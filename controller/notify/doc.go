// Package notify tells customers, account managers and the ops on-call
// about incidents: once, in their language, after their tier's delay.
//
// Three parts, each one job:
//
//   - the rule engine (hook.go, rules.go) runs inside line health's
//     commit: for every incident change it writes the messages that change
//     calls for into the outbox, in the same SQLite transaction, keyed by
//     (incident, customer, recipient, kind) so a replayed change adds
//     nothing. It decides due times (tier delay, quiet hours) and cancels a
//     start message that is still waiting when its incident ends (a 2-s
//     flap wakes nobody).
//   - the sender (sender.go) delivers due rows with retries, backoff and
//     rate limits, records every attempt, and after a crash sends again
//     what was claimed but not recorded, with the same Message-ID.
//   - the channels (channel/email, channel/sms, channel/webhook) carry one
//     rendered message each; templates (templates/) are zh-CN and en.
//
// The API (api.go) lists the log, GET /api/v1/notifications.
package notify
