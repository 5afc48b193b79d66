package ingest

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// HeaderMsgID carries an agent's batch id, "<agent_id>-<epoch>-<seq>"
// (agent/publish.MsgIDHeader). Agents do not use Nats-Msg-Id: JetStream
// de-duplicates that across the whole stream and cannot check it against
// the subject, so one agent publishing another's next id on its own
// subject made the victim's real batch a "duplicate" that was acked and
// never written (issue 10, attack 2). The results stream's own window is
// therefore the smallest nats-server allows, and de-duplication happens
// here, keyed by the agent the subject names — the one the server
// authenticated.
const HeaderMsgID = "Vantage-Msg-Id"

// ReasonMsgID refuses a message whose id (HeaderMsgID or Nats-Msg-Id) is
// not in its agent's namespace "<agent_id>-": an attempt to collide with
// another agent's ids.
const ReasonMsgID = "msg_id"

// streamDuplicates is the results stream's de-duplication window: the
// minimum nats-server accepts (0 would mean its 2-minute default). It only
// ever matches a Nats-Msg-Id, which honest agents no longer send.
const streamDuplicates = 100 * time.Millisecond

// maxMsgIDLen bounds an id kept in memory and echoed in a dead letter.
const maxMsgIDLen = 200

// msgID checks a message's ids against its agent and returns the one to
// de-duplicate by ("" if it has none: it is then never taken for a
// duplicate). Both headers are checked: an old agent sends Nats-Msg-Id.
func msgID(agent string, h nats.Header) (string, *drop) {
	id := ""
	for _, name := range []string{HeaderMsgID, nats.MsgIdHdr} {
		v := h.Get(name)
		if v == "" {
			continue
		}
		if len(v) > maxMsgIDLen || !strings.HasPrefix(v, agent+"-") {
			if len(v) > maxMsgIDLen {
				v = v[:maxMsgIDLen] + "..."
			}
			return "", &drop{-1, ReasonMsgID, fmt.Sprintf("%s %q is not in agent %s's id namespace %q", name, v, agent, agent+"-")}
		}
		if id == "" {
			id = v
		}
	}
	return id, nil
}

// maxRecentIDs bounds recentIDs: about 30 MB. A fleet sending more
// messages than this per Duplicates window gets a shorter effective window.
const maxRecentIDs = 200_000

// checkID refuses a message whose id is outside its agent's namespace, or
// marks it a duplicate of one already written; it reports whether check
// should stop there.
func (in *Ingester) checkID(it *item, now time.Time) bool {
	it.id, it.whole = msgID(it.agent, it.msg.Headers())
	if it.whole != nil {
		return true
	}
	it.dup = it.id != "" && in.recent.has(recentKey(it.agent, it.id), now)
	return it.dup
}

// recentIDs remembers the ids of messages written and acked in the last
// window, at most max of them, so a resend (an agent whose ack was lost)
// is acked without being written again. Keys are agent id and message id:
// one agent's ids never match another's. It is a saving, not the
// guarantee: a resend after the window, after a controller restart or
// pulled by another controller is written again, and InfluxDB (same point
// identity), line state and the registry absorb that.
type recentIDs struct {
	mu     sync.Mutex
	window time.Duration
	max    int
	at     map[string]time.Time
	order  []string // keys, oldest first (from head)
	head   int
}

func newRecentIDs(window time.Duration, max int) *recentIDs {
	return &recentIDs{window: window, max: max, at: map[string]time.Time{}}
}

func recentKey(agent, id string) string { return agent + "\x00" + id }

// has reports whether key was remembered within the window before now.
func (r *recentIDs) has(key string, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.at[key]
	return ok && now.Sub(t) < r.window
}

// add remembers key at now and forgets what is older than the window or
// beyond max.
func (r *recentIDs) add(key string, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.at[key]; !ok {
		r.order = append(r.order, key)
	}
	r.at[key] = now
	for r.head < len(r.order) {
		k := r.order[r.head]
		if t := r.at[k]; len(r.at) <= r.max && now.Sub(t) < r.window {
			break
		}
		delete(r.at, k)
		r.order[r.head] = ""
		r.head++
	}
	if r.head > 1024 && r.head*2 > len(r.order) { // compact the consumed front
		r.order = append(r.order[:0:0], r.order[r.head:]...)
		r.head = 0
	}
}
