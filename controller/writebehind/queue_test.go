package writebehind

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/ingest"
	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/internal/lab"
)

// Line health must keep up while InfluxDB is stalled (issue 16: a slow
// InfluxDB held the single controller's pulls, and line health fell three
// minutes behind). InfluxDB is paused (SIGSTOP: it accepts connections and
// answers nothing); every message must still reach the sink and be acked,
// and once InfluxDB resumes every point must land once. Before the queue
// (the ingest writing InfluxDB itself, ingest.Store = the writer) the sink
// saw 60 of the 400 results: the few pulls of FetchBatch 3 messages
// before the ingest's pipeline filled, held by writes that never returned.
func TestLineHealthDoesNotWaitForStalledInfluxDB(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	q := s.openQueue(t.TempDir(), 1<<30)
	defer q.Close()
	drain := run(t, q.Run)
	sink := &countSink{}
	_, stopIngest := s.startIngest(q, ingest.Options{FetchBatch: 3, MaxAckPending: 9}, sink)

	s.influx.Pause()
	resumed := false
	defer func() {
		if !resumed {
			s.influx.Resume()
		}
	}()
	const agents, msgs, per = 4, 10, 10
	for a := range agents {
		for n := range msgs {
			s.publish(fmt.Sprintf("wb-%d", a), n, per)
		}
	}
	lab.WaitFor(t, s.ctx, 50*time.Millisecond, func() error {
		if got := sink.seen(); got < agents*msgs*per {
			return fmt.Errorf("line health saw %d of %d results with InfluxDB stalled", got, agents*msgs*per)
		}
		return nil
	})
	lab.WaitFor(t, s.ctx, 50*time.Millisecond, func() error {
		if got := q.Points(); got != agents*msgs*per {
			return fmt.Errorf("queue holds %d points, want %d (all acked, none written)", got, agents*msgs*per)
		}
		return nil
	})
	s.influx.Resume()
	resumed = true
	s.waitCount("ping", agents*msgs*per)
	lab.WaitFor(t, s.ctx, 50*time.Millisecond, func() error {
		if got := value(q.m.written); got != agents*msgs*per {
			return fmt.Errorf("queue wrote %v points, want %d", got, agents*msgs*per)
		}
		if q.Points() != 0 {
			return fmt.Errorf("queue still holds %d points", q.Points())
		}
		return nil
	})
	stopIngest()
	drain()
}

// The queue's bound: an append that would pass MaxBytes is refused with
// ingest.ErrQueueFull and appends nothing; the ingest then keeps the
// messages in JetStream (deferred, counted) while line health goes on, and
// once the drain makes room every result lands in InfluxDB exactly once.
func TestFullQueueBacksPressureIntoJetStream(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	// Room for a few pulls: each message of 20 pings is ~2.5 kB of points.
	q := s.openQueue(t.TempDir(), 16<<10)
	defer q.Close()
	sink := &countSink{}
	in, stopIngest := s.startIngest(q, ingest.Options{FetchBatch: 2, MaxAckPending: 1000,
		RetryDelay: 50 * time.Millisecond, MaxRetryDelay: 200 * time.Millisecond}, sink)
	const msgs, per = 30, 20
	for n := range msgs {
		s.publish("wb-full", n, per)
	}
	// No drain yet: the queue fills and refuses.
	lab.WaitFor(t, s.ctx, 50*time.Millisecond, func() error {
		if got := value(q.m.refused.WithLabelValues(reasonFull)); got == 0 {
			return errors.New("no append refused yet")
		}
		if got := sink.seen(); got < msgs*per {
			return fmt.Errorf("line health saw %d of %d results with the queue full", got, msgs*per)
		}
		return nil
	})
	if err := q.Healthy(); err == nil || !strings.Contains(err.Error(), "write-behind queue refusing") {
		t.Errorf("Healthy with a full queue = %v", err)
	}
	if err := in.Healthy(); err == nil {
		t.Error("the ingest reports healthy while its queue refuses results")
	}
	if q.Bytes() > 16<<10 {
		t.Errorf("queue holds %d bytes, bound %d", q.Bytes(), 16<<10)
	}
	_, err := q.TryWrite(s.ctx, s.batch("wb-full", 200, time.Hour))
	if !errors.Is(err, ingest.ErrQueueFull) {
		t.Fatalf("TryWrite on a full queue = %v, want ErrQueueFull", err)
	}
	drain := run(t, q.Run)
	s.waitCount("ping", msgs*per)
	waitStreamEmpty(t, s)
	if err := q.Healthy(); err != nil {
		t.Errorf("Healthy after the drain = %v", err)
	}
	stopIngest()
	drain()
}

// A queue closed with points in it (a stop, or a crash: the spool's
// records are in the page cache once TryWrite returns) drains them when
// opened again, each point once.
func TestReopenedQueueDrainsWhatWasLeft(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	dir := t.TempDir()
	q := s.openQueue(dir, 1<<30)
	for i := range 5 {
		if _, err := q.TryWrite(s.ctx, s.batch("wb-reopen", 300, time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	q = s.openQueue(dir, 1<<30)
	defer q.Close()
	if q.Points() != 1500 {
		t.Fatalf("reopened queue holds %d points, want 1500", q.Points())
	}
	drain := run(t, q.Run)
	s.waitCount("ping", 1500)
	lab.WaitFor(t, s.ctx, 50*time.Millisecond, func() error {
		if q.Points() != 0 {
			return fmt.Errorf("queue still holds %d points", q.Points())
		}
		return nil
	})
	drain()
}

// A point InfluxDB refuses on its own (a field type conflict) is
// dead-lettered with reason influx_rejected under its agent; the rest of
// its round is written and the queue moves on.
func TestRefusedPointDeadLettered(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	var seed influx.Batch
	line := fmt.Sprintf("ping,agent=other,line=L-other sent=\"x\" %d\n", s.now.UnixNano())
	seed.AddRaw([]byte(line), []int{len(line)})
	if _, err := s.writer.Write(s.ctx, &seed); err != nil {
		t.Fatal(err)
	}
	q := s.openQueue(t.TempDir(), 1<<30)
	defer q.Close()
	// Streams for the dead letters, as the ingest creates them.
	s.startIngest(q, ingest.Options{}, &countSink{})
	if _, err := q.TryWrite(s.ctx, s.batch("wb-conflict", 3, 0)); err != nil {
		t.Fatal(err)
	}
	drain := run(t, q.Run)
	lab.WaitFor(t, s.ctx, 50*time.Millisecond, func() error {
		if got := value(q.m.rejected); got != 3 {
			return fmt.Errorf("rejected %v points, want 3", got)
		}
		if q.Points() != 0 {
			return fmt.Errorf("queue still holds %d points", q.Points())
		}
		return nil
	})
	st, err := s.js.Stream(s.ctx, "VANTAGE_DEADLETTER")
	if err != nil {
		t.Fatal(err)
	}
	m, err := st.GetLastMsgForSubject(s.ctx, ingest.DeadLetterSubjectPrefix+"wb-conflict")
	if err != nil {
		t.Fatal(err)
	}
	if m.Header.Get(ingest.HeaderReason) != ingest.ReasonInfluxRejected || !strings.HasPrefix(string(m.Data), "ping,") {
		t.Errorf("dead letter %q %q", m.Header, m.Data)
	}
	drain()
}

func waitStreamEmpty(t *testing.T, s *stack) {
	t.Helper()
	lab.WaitFor(t, s.ctx, 50*time.Millisecond, func() error {
		st, err := s.js.Stream(s.ctx, "VANTAGE_RESULTS")
		if err != nil {
			return err
		}
		info, err := st.Info(s.ctx)
		if err != nil {
			return err
		}
		if info.State.Msgs != 0 {
			return fmt.Errorf("results stream holds %d messages", info.State.Msgs)
		}
		return nil
	})
}
