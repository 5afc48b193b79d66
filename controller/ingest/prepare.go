package ingest

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/probes/result"
)

// unit is one pull's messages on their way to InfluxDB, with their points
// encoded into one batch.
type unit struct {
	items []item
	batch influx.Batch
	// owner maps point i of batch back to its message and result, so a
	// point InfluxDB refuses can be dead-lettered with its message.
	owner []pointRef
	// arena holds the Results and line protocol of the messages the
	// single pass took (fastpath.go), reused from pull to pull.
	arena arena
	// seq numbers the pull and mark is where it leaves the consumer, for
	// Options.Progress (progress.go).
	seq  uint64
	mark mark
}

type pointRef struct{ item, result int32 }

// item is one message and what happens to it.
type item struct {
	msg   jetstream.Msg
	agent string // from the subject; "unknown" if the subject names none
	batch *result.Batch
	// whole is set when the entire message is refused.
	whole *drop
	// drops are single results refused; the rest of the batch is written.
	drops []drop
	// id is the agent's message id (msgid.go); dup marks a resend of a
	// message already written, acked without writing it again.
	id  string
	dup bool
	// settled: acked, terminated or nak'd already; nothing more to do.
	settled bool
	// fast: the single pass took the message, and put its points in the
	// unit's arena at lp[0]:lp[1], one per result, in order.
	fast bool
	lp   [2]int
}

// drop is a refused message (index -1) or result.
type drop struct {
	index  int
	reason string
	err    string
}

func (in *Ingester) release(u *unit) {
	clear(u.items) // let the messages and decoded batches go
	u.items = u.items[:0]
	u.owner = u.owner[:0]
	u.batch.Reset()
	u.arena.reset()
	in.units.Put(u)
}

// prepare decodes, validates and encodes one pull's messages.
func (in *Ingester) prepare(msgs []jetstream.Msg) *unit {
	u := in.units.Get().(*unit)
	now := in.opts.Now()
	w := newFastWindow(result.Window{Now: now, MaxFuture: in.opts.MaxFuture, MaxAge: in.opts.MaxAge})
	for _, m := range msgs {
		u.items = append(u.items, item{msg: m})
		in.check(u, &u.items[len(u.items)-1], now, w)
	}
	encode(u)
	return u
}

// encode fills u.batch with the points of every message still to be
// written (not settled, not refused, not a duplicate), and u.owner with
// where each came from.
func encode(u *unit) {
	u.batch.Reset()
	u.owner = u.owner[:0]
	for n := range u.items {
		it := &u.items[n]
		if it.whole != nil || it.dup || it.settled {
			continue
		}
		if it.fast && len(it.drops) == 0 {
			u.batch.AddLines(u.arena.lp[it.lp[0]:it.lp[1]])
			for i := range it.batch.Results {
				u.owner = append(u.owner, pointRef{int32(n), int32(i)})
			}
			continue
		}
		for i := range it.batch.Results {
			if dropped(it.drops, i) {
				continue
			}
			if err := u.batch.Add(it.agent, &it.batch.Results[i]); err != nil {
				// Validated but not encodable (a tag value ending in a
				// backslash, say): refuse the one result.
				it.drops = append(it.drops, drop{i, ReasonInvalid, fmt.Sprintf("results[%d]: %v", i, err)})
				continue
			}
			u.owner = append(u.owner, pointRef{int32(n), int32(i)})
		}
	}
}

// check fills it.agent and it.batch, or marks what is refused. A message
// the single pass takes (fastpath.go) is valid as a whole; any other goes
// the reference way: decode, then Validate result by result.
func (in *Ingester) check(u *unit, it *item, now time.Time, fw fastWindow) {
	subject := it.msg.Subject()
	agent, ok := strings.CutPrefix(subject, ResultsSubjectPrefix)
	if !ok || !result.ValidAgentID(agent) {
		it.agent = "unknown"
		it.whole = &drop{-1, ReasonInvalid, fmt.Sprintf("subject %q does not end in a valid agent id", subject)}
		return
	}
	it.agent = agent
	if in.checkID(it, now) {
		return
	}
	if b, lo, hi, ok := fast(&u.arena, &in.strs, it.msg.Data(), agent, fw); ok {
		it.batch, it.fast, it.lp = b, true, [2]int{lo, hi}
		in.m.singlePass.Inc()
		return
	}
	in.m.reference.Inc()
	b, err := decode(it.msg.Data())
	if err != nil {
		it.whole = &drop{-1, ReasonDecode, err.Error()}
		return
	}
	if b.Agent != agent {
		it.whole = &drop{-1, ReasonAgentMismatch, fmt.Sprintf("batch from agent %q arrived on %s", b.Agent, subject)}
		return
	}
	if len(b.Results) == 0 {
		it.whole = &drop{-1, ReasonInvalid, "results: empty batch"}
		return
	}
	it.batch = b
	// Validate result by result: a schema error refuses the message, while
	// a bad timestamp, an impossible value or a controller-owned
	// measurement drops only its result (see the package comment).
	w := result.Window{Now: now, MaxFuture: in.opts.MaxFuture, MaxAge: in.opts.MaxAge}
	for i := range b.Results {
		one := result.Batch{Agent: agent, Results: b.Results[i : i+1]}
		err := one.Validate(w)
		if err == nil {
			continue
		}
		msg := strings.Replace(err.Error(), "results[0]", fmt.Sprintf("results[%d]", i), 1)
		if reason := resultReason(err); reason != "" {
			if reason == ReasonOutOfRange {
				in.m.outOfRange.WithLabelValues(b.Results[i].Measurement + "." + rangeField(err)).Inc()
			}
			it.drops = append(it.drops, drop{i, reason, msg})
			continue
		}
		it.whole = &drop{-1, ReasonInvalid, msg}
		it.drops = nil
		return
	}
}

// resultReason is the reason a single result is dropped for, or "" when
// the error refuses the whole message.
func resultReason(err error) string {
	switch {
	case errors.Is(err, result.ErrFuture):
		return ReasonFuture
	case errors.Is(err, result.ErrPast):
		return ReasonTooOld
	case errors.Is(err, result.ErrForbidden):
		return ReasonForbidden
	case errors.Is(err, result.ErrOutOfRange):
		return ReasonOutOfRange
	}
	return ""
}

// rangeField is the field an ErrOutOfRange names: "loss_pct" of
// "results[0].f.loss_pct". Only schema fields get this far, so the label's
// values are bounded by result.Schemas.
func rangeField(err error) string {
	var fe *result.FieldError
	if !errors.As(err, &fe) {
		return ""
	}
	_, f, _ := strings.Cut(fe.Field, ".f.")
	return f
}

func dropped(drops []drop, i int) bool {
	for _, d := range drops {
		if d.index == i {
			return true
		}
	}
	return false
}
