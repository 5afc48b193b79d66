package writebehind

import (
	"bytes"
	"context"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vantage-net/vantage/controller/ingest"
	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/probes/result"
)

// deadLetter publishes each point InfluxDB refused (a field type
// conflict, a timestamp outside retention) to vantage.deadletter.<agent>
// with the reason influx_rejected, as the ingest does for the points it
// writes itself. Here the message was acked long before, so the dead
// letter carries the point as line protocol, not the agent's JSON. Each
// has a Nats-Msg-Id made from the point's bytes, so a round written again
// after a crash does not leave a second dead letter. It retries a failed
// publish until ctx ends (then false: the round stays in the spool).
func (q *Queue) deadLetter(ctx context.Context, b *influx.Batch, rejected []influx.Rejected) bool {
	for _, r := range rejected {
		line := b.Line(r.Index)
		m := nats.NewMsg(ingest.DeadLetterSubjectPrefix + pointAgent(line))
		m.Data = append([]byte(nil), line...)
		m.Header.Set(ingest.HeaderReason, ingest.ReasonInfluxRejected)
		m.Header.Set(ingest.HeaderError, oneLine(r.Reason))
		h := fnv.New64a()
		h.Write(line)
		id := "writebehind-" + strconv.FormatUint(h.Sum64(), 16)
		for attempt := 0; ; attempt++ {
			pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			_, err := q.opts.JetStream.PublishMsg(pctx, m, jetstream.WithMsgID(id))
			cancel()
			if err == nil {
				break
			}
			if ctx.Err() != nil {
				return false
			}
			q.opts.Logger.Warn("cannot store the dead letter of a point InfluxDB refused; retrying", "err", err)
			sleep(ctx, min(time.Second<<min(attempt, 5), 30*time.Second))
		}
		q.m.rejected.Inc()
		q.opts.Logger.Warn("InfluxDB refused a point; dead-lettered", "reason", r.Reason, "point", string(line))
	}
	return true
}

// pointAgent is the agent tag's value of a point, or "unknown". Agent ids
// (result.ValidAgentID) need no escaping in line protocol.
func pointAgent(line []byte) string {
	key := []byte("," + influx.AgentTag + "=")
	sp := bytes.IndexByte(line, ' ')
	if sp < 0 {
		return "unknown"
	}
	tags := line[:sp]
	i := bytes.Index(tags, key)
	if i < 0 {
		return "unknown"
	}
	v := tags[i+len(key):]
	if j := bytes.IndexByte(v, ','); j >= 0 {
		v = v[:j]
	}
	if !result.ValidAgentID(string(v)) {
		return "unknown"
	}
	return string(v)
}

func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 {
			return ' '
		}
		return r
	}, s)
	if len(s) > 1024 {
		s = s[:1024] + "..."
	}
	return s
}
