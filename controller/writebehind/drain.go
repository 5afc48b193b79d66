package writebehind

import (
	"context"
	"strconv"
	"time"

	"github.com/vantage-net/vantage/agent/publish"
	"github.com/vantage-net/vantage/controller/store/influx"
)

// maxRecordsPerRound bounds how many records one round reads, whatever
// their size: live traffic appends a record per pull of a few messages.
const maxRecordsPerRound = 4096

// Run drains the spool into InfluxDB until ctx ends: oldest first, up to
// MaxPoints per write, waiting up to Linger for a write to fill. The
// cursor moves past a round's records only once InfluxDB took their
// points (or refused some, which are then dead-lettered), so a round cut
// by ctx or a crash is written again at the next start.
func (q *Queue) Run(ctx context.Context) error {
	var b influx.Batch
	for ctx.Err() == nil {
		msgs := q.sp.PeekN(maxRecordsPerRound, q.opts.MaxPoints)
		if len(msgs) == 0 {
			q.headNano.Store(0)
			select {
			case <-ctx.Done():
			case <-q.sp.Wait():
			}
			continue
		}
		head, _ := strconv.ParseInt(msgs[0].ID, 10, 64)
		q.headNano.Store(head)
		if wait := q.linger(msgs, head); wait > 0 {
			sleep(ctx, wait)
			continue
		}
		b.Reset()
		for _, m := range msgs {
			if err := addRecord(&b, m.Data); err != nil {
				// The CRC matched, so this is not disk damage but a
				// record this code did not write: count it, skip it.
				q.opts.Logger.Error("write-behind record unreadable; its points are lost", "id", m.ID, "points", m.Results, "err", err)
				q.m.dropped.WithLabelValues("corrupt").Add(float64(m.Results))
			}
		}
		start := time.Now()
		rejected, err := q.w.Write(ctx, &b)
		if err != nil {
			break // ctx ended; the round stays in the spool
		}
		q.m.writeSeconds.Observe(time.Since(start).Seconds())
		if len(rejected) > 0 && !q.deadLetter(ctx, &b, rejected) {
			break
		}
		q.m.written.Add(float64(b.Len() - len(rejected)))
		q.m.writePoints.Observe(float64(b.Len()))
		q.sp.PopN(len(msgs))
	}
	return nil
}

// linger returns how much longer to wait before writing msgs: 0 once they
// hold MaxPoints, or the head has waited Linger. It polls in steps of at
// most 100 ms, so a burst fills the write as it arrives.
func (q *Queue) linger(msgs []publish.Message, head int64) time.Duration {
	n := 0
	for _, m := range msgs {
		n += m.Results
	}
	if n >= q.opts.MaxPoints || len(msgs) >= maxRecordsPerRound {
		return 0
	}
	left := q.opts.Linger - q.opts.Now().Sub(time.Unix(0, head))
	return min(max(left, 0), 100*time.Millisecond)
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
