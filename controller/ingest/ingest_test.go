package ingest

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/probes/result"
)

// Good batches from several agents land with their measurements, the agent
// tag from the subject, and the field types of result.Schemas.
func TestGoodBatchesLand(t *testing.T) {
	h := newHarness(t, Options{})
	for a := range 3 {
		agent := fmt.Sprintf("cpe-%04d", a)
		for m := range 2 {
			h.publishBatch(pings(agent, 50, t0.Add(-time.Duration(m+1)*time.Minute)))
		}
	}
	h.publishBatch(&result.Batch{Agent: "pop-01", Results: []result.Result{
		{Time: t0.Add(-time.Second), Measurement: "dial", Tags: map[string]string{"target": "198.18.0.9:443", "kind": "tls", "line": "L7"},
			Fields: map[string]float64{"ok": 0, "connect_ms": 2.5}, Error: "tls", Detail: "x509: certificate expired"},
		{Time: t0.Add(-time.Second), Measurement: "http", Tags: map[string]string{"target": "http://198.18.0.9/"},
			Fields: map[string]float64{"ok": 1, "status": 204, "total_ms": 9.75, "bytes": 0}},
		{Time: t0.Add(-time.Second), Measurement: "snmp_if", Tags: map[string]string{"device": "pe1", "ifindex": "7", "ifname": "xe-0/0/7", "line": "L7"},
			Fields: map[string]float64{"oper_up": 0, "admin_up": 1, "in_errors": 12, "last_change_s": 3.5}},
	}})
	const total = 3*2*50 + 3
	h.waitCounter("results ingested", h.in.m.ingested, total)
	h.waitCount("ping", 300)
	info := h.consumerIdle()
	if info.Delivered.Consumer != 7 {
		t.Errorf("%d deliveries of 7 messages", info.Delivered.Consumer)
	}
	if got := value(h.in.m.messages.WithLabelValues(outcomeOK)); got != 7 {
		t.Errorf("messages{ok} = %v, want 7", got)
	}

	dial, err := h.influx.Points(h.ctx, "dial")
	if err != nil || len(dial) != 1 {
		t.Fatalf("dial = %v, %v", dial, err)
	}
	want := map[string]any{"agent": "pop-01", "kind": "tls", "line": "L7", "target": "198.18.0.9:443",
		"ok": false, "connect_ms": 2.5, "error": "tls", "_time": t0.Add(-time.Second)}
	for k, v := range want {
		if dial[0][k] != v {
			t.Errorf("dial %s = %#v, want %#v", k, dial[0][k], v)
		}
	}
	if _, ok := dial[0]["detail"]; ok {
		t.Error("detail was stored; it is free text and must not be")
	}
	httpRows, _ := h.influx.Points(h.ctx, "http")
	if len(httpRows) != 1 || httpRows[0]["status"] != int64(204) || httpRows[0]["ok"] != true || httpRows[0]["bytes"] != int64(0) {
		t.Errorf("http = %v", httpRows)
	}
	ifRows, _ := h.influx.Points(h.ctx, "snmp_if")
	if len(ifRows) != 1 || ifRows[0]["oper_up"] != false || ifRows[0]["in_errors"] != int64(12) || ifRows[0]["agent"] != "pop-01" {
		t.Errorf("snmp_if = %v", ifRows)
	}
	pingRows, _ := h.influx.Points(h.ctx, "ping")
	if p := pingRows[0]; p["sent"] != int64(3) || p["rtt_avg_ms"] != 1.5 || p["line"] == nil {
		t.Errorf("ping = %v", p)
	}
	if err := h.in.Healthy(); err != nil {
		t.Errorf("Healthy = %v", err)
	}
}

// Messages that cannot be decoded or break the contract are terminated and
// kept, byte for byte, in the dead-letter stream with the reason; good
// messages around them land.
func TestBadMessagesDeadLettered(t *testing.T) {
	h := newHarness(t, Options{})
	garbage := []byte("not json at all")
	h.publish(ResultsSubjectPrefix+"cpe-bad", garbage)
	impostor, _ := result.Encode(pings("cpe-other", 1, t0.Add(-time.Minute)))
	h.publish(ResultsSubjectPrefix+"cpe-liar", impostor)
	invalid := pings("cpe-schema", 3, t0.Add(-time.Minute))
	invalid.Results[2].Fields["speed"] = 1 // not in the ping schema
	h.publishBatch(invalid)
	h.publish(ResultsSubjectPrefix+"cpe-bad", []byte(`{"agent":"cpe-bad","results":[]}`))
	h.publishBatch(pings("cpe-good", 10, t0.Add(-time.Minute)))

	h.waitCounter("dead-lettered messages", h.in.m.messages.WithLabelValues(outcomeDeadLettered), 4)
	h.waitCount("ping", 10)
	info := h.consumerIdle()
	if info.Delivered.Consumer != 5 {
		t.Errorf("%d deliveries of 5 messages: a refused one was redelivered", info.Delivered.Consumer)
	}

	for _, c := range []struct {
		agent, reason, errPart string
		data                   []byte
	}{
		{"cpe-liar", ReasonAgentMismatch, `batch from agent "cpe-other" arrived on vantage.results.cpe-liar`, impostor},
		{"cpe-schema", ReasonInvalid, "results[2].f.speed: field not allowed", nil},
		{"cpe-bad", ReasonInvalid, "results: empty batch", []byte(`{"agent":"cpe-bad","results":[]}`)},
	} {
		dl := h.deadLetter(c.agent)
		if dl.Header.Get(HeaderReason) != c.reason || !strings.Contains(dl.Header.Get(HeaderError), c.errPart) {
			t.Errorf("%s: dead letter headers %v", c.agent, dl.Header)
		}
		if dl.Header.Get(HeaderSubject) != ResultsSubjectPrefix+c.agent || dl.Header.Get(HeaderStreamSeq) == "" {
			t.Errorf("%s: dead letter does not name its origin: %v", c.agent, dl.Header)
		}
		if c.data != nil && !bytes.Equal(dl.Data, c.data) {
			t.Errorf("%s: dead letter data %q, want the original %q", c.agent, dl.Data, c.data)
		}
	}
	// The garbage is the first of two dead letters for cpe-bad.
	s, _ := h.js.Stream(h.ctx, h.in.opts.DeadLetterStream)
	first, err := s.GetMsg(h.ctx, 1)
	if err != nil || first.Header.Get(HeaderReason) != ReasonDecode || !bytes.Equal(first.Data, garbage) {
		t.Errorf("garbage dead letter = %v %q, %v", first.Header, first.Data, err)
	}
	for reason, want := range map[string]float64{ReasonDecode: 1, ReasonAgentMismatch: 1, ReasonInvalid: 2} {
		if got := value(h.in.m.rejected.WithLabelValues(reason)); got != want {
			t.Errorf("results_rejected{%s} = %v, want %v", reason, got, want)
		}
	}
}

// A result stamped beyond MaxFuture is refused, counted and dead-lettered
// alone; the other results of its batch are written and the message acked.
func TestFutureResultRefused(t *testing.T) {
	h := newHarness(t, Options{MaxFuture: 5 * time.Minute})
	b := pings("cpe-clock", 5, t0.Add(-time.Minute))
	b.Results[3].Time = t0.Add(2 * time.Hour)
	b.Results[1].Time = t0.Add(4 * time.Minute) // ahead, but within MaxFuture
	h.publishBatch(b)

	h.waitCounter("future results", h.in.m.rejected.WithLabelValues(ReasonFuture), 1)
	h.waitCount("ping", 4)
	h.consumerIdle()
	if got := value(h.in.m.messages.WithLabelValues(outcomePartial)); got != 1 {
		t.Errorf("messages{partial} = %v, want 1", got)
	}
	dl := h.deadLetter("cpe-clock")
	if dl.Header.Get(HeaderReason) != ReasonFuture || !strings.Contains(dl.Header.Get(HeaderError), "results[3].t: 2026-11-23T10:00:00Z: timestamp too far in the future") {
		t.Errorf("dead letter headers %v", dl.Header)
	}
	kept, err := result.Decode(dl.Data)
	if err != nil || len(kept.Results) != 1 || !kept.Results[0].Time.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("dead letter holds %+v, %v; want the one future result", kept, err)
	}
}

// A point InfluxDB refuses (field type conflict) is isolated and
// dead-lettered; the rest of the pull lands and every message is acked.
func TestFieldTypeConflictIsolated(t *testing.T) {
	h := newHarness(t, Options{})
	// Make jitter_ms an integer in this shard: every float jitter_ms after
	// it conflicts.
	seed := fmt.Sprintf("ping,agent=seed,target=t jitter_ms=1i %d", t0.Add(-time.Hour).UnixNano())
	resp, err := http.Post(h.influx.URL+"/api/v2/write?bucket="+h.influx.Bucket, "text/plain", strings.NewReader(seed))
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("seed: %v %v", resp, err)
	}
	resp.Body.Close()

	for a := range 4 {
		b := pings(fmt.Sprintf("cpe-%d", a), 40, t0.Add(-time.Minute))
		if a == 2 {
			b.Results[17].Fields["jitter_ms"] = 0.3
		}
		h.publishBatch(b)
	}
	h.waitCounter("influx-rejected results", h.in.m.rejected.WithLabelValues(ReasonInfluxRejected), 1)
	h.waitCount("ping", 4*40-1+1) // all but the conflicting one, plus the seed
	h.consumerIdle()
	if got := value(h.in.m.ingested); got != 4*40-1 {
		t.Errorf("results ingested = %v, want %d", got, 4*40-1)
	}
	dl := h.deadLetter("cpe-2")
	if dl.Header.Get(HeaderReason) != ReasonInfluxRejected || !strings.Contains(dl.Header.Get(HeaderError), "field type conflict") {
		t.Errorf("dead letter headers %v", dl.Header)
	}
	kept, err := result.Decode(dl.Data)
	if err != nil || len(kept.Results) != 1 || kept.Results[0].Fields["jitter_ms"] != 0.3 {
		t.Errorf("dead letter holds %+v, %v", kept, err)
	}
	if got := value(h.in.m.messages.WithLabelValues(outcomeOK)); got != 3 {
		t.Errorf("messages{ok} = %v, want 3", got)
	}
}
