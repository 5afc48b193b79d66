package publish

import (
	"context"
	"errors"
	"log/slog"
	"math/rand"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// MsgIDHeader carries a message's id (Message.ID). Not Nats-Msg-Id:
// JetStream de-duplicates that across the whole stream, whoever published,
// so another agent could make this agent's next batch a "duplicate" that
// is acked and never stored. The controller's ingest de-duplicates by this
// header together with the agent the subject names (controller/ingest
// HeaderMsgID, the same string), and refuses an id that does not start
// with the publishing agent's id. A resend after a lost ack is stored
// twice in the stream and written once more at worst, idempotently.
const MsgIDHeader = "Vantage-Msg-Id"

// Publisher is the part of jetstream.JetStream the sender uses (a seam for tests).
type Publisher interface {
	PublishMsg(ctx context.Context, msg *nats.Msg, opts ...jetstream.PublishOpt) (*jetstream.PubAck, error)
}

// Sender publishes the queue's oldest message until JetStream acknowledges
// it, then the next. Sending one message at a time in order keeps replay
// oldest-first; batching makes that fast enough (500 results per round trip).
type Sender struct {
	Subject string
	JS      Publisher
	Queue   Queue
	Timeout time.Duration
	Logger  *slog.Logger
	Rand    *rand.Rand
	// Published is told how many results JetStream acknowledged.
	Published func(n int)
	// Failed is told about each failed attempt.
	Failed func(err error)
	// Wake, if set, ends a backoff early and resets it: the connection is
	// back, so the next attempt should not wait out up to 45 s of backoff
	// grown during the outage. The reconnect itself is jittered, so a
	// fleet coming back still spreads out.
	Wake <-chan struct{}
}

// Run sends until ctx ends.
func (s *Sender) Run(ctx context.Context) {
	backoff := time.Duration(0)
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.Queue.Wait():
		}
		m, ok := s.Queue.Peek()
		if !ok {
			continue
		}
		pctx, cancel := context.WithTimeout(ctx, s.Timeout)
		msg := &nats.Msg{Subject: s.Subject, Data: m.Data, Header: nats.Header{MsgIDHeader: []string{m.ID}}}
		_, err := s.JS.PublishMsg(pctx, msg)
		cancel()
		if err == nil {
			s.Queue.Pop()
			if s.Published != nil {
				s.Published(m.Results)
			}
			backoff = 0
			continue
		}
		if ctx.Err() != nil {
			return
		}
		if s.Failed != nil {
			s.Failed(err)
		}
		backoff = nextBackoff(backoff, s.Rand)
		s.Logger.Debug("publish failed; will retry", "err", err, "retry_in", backoff, "msg_id", m.ID)
		if errors.Is(err, nats.ErrConnectionClosed) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		case <-s.Wake:
			backoff = 0
		}
	}
}

// nextBackoff doubles from 100 ms to 30 s with ±50% jitter, so thousands of
// agents coming back after a NATS restart do not retry in lockstep.
func nextBackoff(prev time.Duration, rng *rand.Rand) time.Duration {
	base := 100 * time.Millisecond
	if prev > 0 {
		base = prev * 2
	}
	if base > 30*time.Second {
		base = 30 * time.Second
	}
	jitter := time.Duration(rng.Int63n(int64(base))) - base/2
	return base + jitter
}
