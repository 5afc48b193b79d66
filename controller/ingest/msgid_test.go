package ingest

import (
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/vantage-net/vantage/agent/publish"
	"github.com/vantage-net/vantage/probes/result"
)

func (h *harness) publishWithIDs(b *result.Batch, subjectAgent string, hdr nats.Header) {
	h.t.Helper()
	data, err := result.Encode(b)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.js.PublishMsg(h.ctx, &nats.Msg{Subject: ResultsSubjectPrefix + subjectAgent, Data: data, Header: hdr}); err != nil {
		h.t.Fatal(err)
	}
}

// Attack 2 of issue 10: an agent publishing another agent's next message id
// on its own subject. Its messages are refused (msg_id) and the victim's
// batch with that id is written; a resend of a written message is skipped,
// per agent.
func TestMsgIDScopedPerAgent(t *testing.T) {
	if HeaderMsgID != publish.MsgIDHeader {
		t.Fatalf("ingest reads %q, the agent sends %q", HeaderMsgID, publish.MsgIDHeader)
	}
	h := newHarness(t, Options{})
	id := func(v string) nats.Header { return nats.Header{HeaderMsgID: []string{v}} }
	ok := h.in.m.messages.WithLabelValues(outcomeOK)

	h.publishWithIDs(pings("cpe-a", 3, t0.Add(-3*time.Minute)), "cpe-a", id("cpe-a-e1-1"))
	h.waitCounter("messages ok", ok, 1)

	// The attacker uses the victim's next id, in either header, and an id
	// that merely starts with the victim's id.
	h.publishWithIDs(pings("cpe-b", 2, t0.Add(-2*time.Minute)), "cpe-b", id("cpe-a-e1-2"))
	h.publishWithIDs(pings("cpe-b", 2, t0.Add(-2*time.Minute)), "cpe-b", nats.Header{nats.MsgIdHdr: []string{"cpe-a-e1-2"}})
	h.publishWithIDs(pings("cpe-b", 2, t0.Add(-2*time.Minute)), "cpe-b", id("cpe-bx-1"))
	h.waitCounter("msg_id refusals", h.in.m.rejected.WithLabelValues(ReasonMsgID), 3)

	// The victim's real batch with that id, its resend, and the attacker's
	// own ids with the same suffix.
	h.publishWithIDs(pings("cpe-a", 4, t0.Add(-time.Minute)), "cpe-a", id("cpe-a-e1-2"))
	h.publishWithIDs(pings("cpe-b", 5, t0.Add(-time.Minute)), "cpe-b", id("cpe-b-e1-2"))
	h.publishWithIDs(pings("cpe-b", 6, t0.Add(-30*time.Second)), "cpe-b", nil) // no id: written, never a duplicate
	h.waitCounter("messages ok", ok, 4)
	h.publishWithIDs(pings("cpe-a", 3, t0.Add(-3*time.Minute)), "cpe-a", id("cpe-a-e1-1"))
	h.waitCounter("duplicates", h.in.m.messages.WithLabelValues(outcomeDuplicate), 1)

	h.waitCount("ping", 3+4+5+6)
	if got := value(h.in.m.ingested); got != 3+4+5+6 {
		t.Errorf("results ingested = %v, want %d: the resend was written again", got, 3+4+5+6)
	}
	dl := h.deadLetter("cpe-b")
	if dl.Header.Get(HeaderReason) != ReasonMsgID {
		t.Errorf("dead letter %v", dl.Header)
	}
	s, err := h.js.Stream(h.ctx, h.in.opts.Stream)
	if err != nil {
		t.Fatal(err)
	}
	if d := s.CachedInfo().Config.Duplicates; d != streamDuplicates {
		t.Errorf("results stream de-duplicates over %v, want %v", d, streamDuplicates)
	}
}

func TestRecentIDsWindowAndBound(t *testing.T) {
	r := newRecentIDs(time.Minute, 3)
	at := time.Unix(1000, 0)
	r.add(recentKey("a", "a-1"), at)
	if !r.has(recentKey("a", "a-1"), at.Add(59*time.Second)) || r.has(recentKey("b", "a-1"), at) {
		t.Fatal("an id is per agent and kept within the window")
	}
	if r.has(recentKey("a", "a-1"), at.Add(time.Minute)) {
		t.Fatal("kept beyond the window")
	}
	for i := range 5 {
		r.add(recentKey("a", fmt.Sprintf("a-%d", i+2)), at.Add(time.Second))
	}
	if len(r.at) != 3 || r.has(recentKey("a", "a-2"), at.Add(time.Second)) || !r.has(recentKey("a", "a-6"), at.Add(time.Second)) {
		t.Fatalf("bound of 3 not kept oldest-out: %v", r.at)
	}
}
