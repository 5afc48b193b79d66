package ingest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// deadLetter publishes data to vantage.deadletter.<agent> with the reason
// in headers, waits for JetStream to store it, then counts and logs the
// rejection. It reports false if the dead letter could not be stored; the
// caller then must not ack, or the evidence would be lost.
func (in *Ingester) deadLetter(ctx context.Context, it *item, d drop, data []byte, results int) bool {
	var seq uint64
	if md, err := it.msg.Metadata(); err == nil {
		seq = md.Sequence.Stream
	}
	m := nats.NewMsg(DeadLetterSubjectPrefix + it.agent)
	m.Data = data
	m.Header.Set(HeaderReason, d.reason)
	m.Header.Set(HeaderError, headerValue(d.err))
	m.Header.Set(HeaderSubject, it.msg.Subject())
	m.Header.Set(HeaderStreamSeq, strconv.FormatUint(seq, 10))
	// One id per original message and reason: a redelivered message (after
	// a failed sink) does not leave a second dead letter.
	id := fmt.Sprintf("%s-%d-%s", in.opts.Stream, seq, d.reason)

	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ack, err := in.js.PublishMsg(pctx, m, jetstream.WithMsgID(id))
	if err != nil {
		in.logs.Warn(in.log, "deadletter-publish", "cannot store dead letter; message will be redelivered",
			"agent", it.agent, "reason", d.reason, "err", err)
		return false
	}
	if ack.Duplicate {
		return true // counted and logged on its first delivery
	}
	in.m.rejected.WithLabelValues(d.reason).Add(float64(results))
	// Logged here, once, where the rejection is handled.
	in.logs.Warn(in.log, d.reason+"/"+it.agent, "results refused and dead-lettered",
		"agent", it.agent, "reason", d.reason, "results", results, "err", d.err,
		"subject", it.msg.Subject(), "seq", seq, "dead_letter_seq", ack.Sequence)
	return true
}

// headerValue makes text safe for a NATS header: one line, bounded.
func headerValue(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r < 0x20 {
			return ' '
		}
		return r
	}, s)
	if len(s) > 1024 {
		s = s[:1024] + "..."
	}
	return s
}

func itoa(n int) string { return strconv.Itoa(n) }
