package linehealth

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/shipper"
	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/probes/result"
)

// stuckWriter is an InfluxDB that takes requests and answers none until
// released, like the real writer retrying a dead server until its context
// ends.
type stuckWriter struct {
	entered chan struct{}
	release chan struct{}
	once    sync.Once
	points  *points
}

func (w *stuckWriter) Write(ctx context.Context, b *influx.Batch) ([]influx.Rejected, error) {
	w.once.Do(func() { close(w.entered) })
	select {
	case <-w.release:
		return w.points.Write(ctx, b)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Handle (and the clock's commit) must return while InfluxDB hangs: the
// ingest acks on it, and results must keep flowing into detection. Every
// event is committed to the database at once and reaches InfluxDB once it
// answers again.
func TestHandleReturnsWhileInfluxHangs(t *testing.T) {
	f := newFixture(t)
	w := &stuckWriter{entered: make(chan struct{}), release: make(chan struct{}), points: f.pts}
	ctx, cancel := context.WithCancel(context.Background())
	shp, err := shipper.New(ctx, shipper.Options{DB: f.db, Points: w, Poll: 10 * time.Millisecond}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.opts.Shipper = shp
	done := make(chan struct{})
	go func() { defer close(done); _ = shp.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	m := f.monitor(t)

	// Results until the shipper holds a write InfluxDB does not answer.
	wait := lab.Deadline(t, 30*time.Second)
	var s int
	for s = 0; ; s++ {
		f.handleSecond(t, wait, m, s, s >= 10 && s < 14)
		select {
		case <-w.entered:
		default:
			continue
		}
		break
	}
	// Flaps while that write hangs: every Handle returns, every flap is
	// committed.
	for end := s + 60; s < end; s++ {
		f.handleSecond(t, wait, m, s, s%20 >= 10 && s%20 < 14)
	}
	// Past the horizon, so every event that has ended is final: only final
	// events get a line_event point (live ones are in the database at once,
	// and so is an outage still open if the loop stopped inside a drop).
	f.now = f.now.Add(f.opts.Detector.Horizon + time.Second)
	if err := m.tick(wait, f.now); err != nil {
		t.Fatal(err)
	}
	var events int
	if err := f.db.QueryRow(`SELECT count(*) FROM line_events WHERE circuit_id = 'L1' AND final = 1`).Scan(&events); err != nil {
		t.Fatal(err)
	}
	if events < 3 {
		t.Fatalf("%d L1 events committed while InfluxDB hung, want the flaps", events)
	}
	close(w.release)
	lab.WaitFor(t, wait, 10*time.Millisecond, func() error {
		if n := queued(t, f.db); n > 0 {
			return fmt.Errorf("%d points still queued", n)
		}
		return nil
	})
	f.pts.mu.Lock()
	defer f.pts.mu.Unlock()
	starts := map[string]int{}
	for _, l := range f.pts.lines {
		if strings.HasPrefix(l, "line_event,") && strings.Contains(l, "line=L1") {
			starts[l[strings.LastIndexByte(l, ' ')+1:]]++
		}
	}
	if len(starts) != events {
		t.Errorf("InfluxDB got %d distinct L1 line_event points, the database holds %d events", len(starts), events)
	}
}

// handleSecond hands one second of results to m and ticks, each call in a
// goroutine the test gives up on (and fails) if it has not returned by ctx's
// deadline: a Handle blocked on InfluxDB fails the test instead of hanging it.
func (f *fixture) handleSecond(t *testing.T, ctx context.Context, m *Monitor, s int, l1Down bool) {
	t.Helper()
	at := f.t0.Add(time.Duration(s) * time.Second)
	f.now = at.Add(500 * time.Millisecond)
	errc := make(chan error, 1)
	go func() {
		err := m.Handle(context.Background(), "agent-1", []result.Result{ping("L1", at, !l1Down), ping("L2", at, true)})
		if err == nil {
			err = m.tick(context.Background(), f.now)
		}
		errc <- err
	}()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-ctx.Done():
		t.Fatalf("second %d: Handle or the tick did not return while InfluxDB hangs", s)
	}
}

func countEvents(t *testing.T, f *fixture, line string) int {
	t.Helper()
	var n int
	if err := f.db.QueryRow(`SELECT count(*) FROM line_events WHERE circuit_id = ?`, line).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A controller killed between two snapshots must not forget evidence of
// acked results (the snapshot is older than them) nor store an event twice
// when the journal replay produces it again. The monitor is dropped without
// its shutdown, as a SIGKILL would; a new one opens the same database.
func TestCrashReplaysJournal(t *testing.T) {
	for _, tc := range []struct {
		name   string
		killAt int // second of the crash: the flap (10–13 s) is sealed 5 s after it ends
	}{
		{"flap not yet final", 14},
		{"flap final and stored", 25},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			m := f.monitor(t)
			ctx := context.Background()
			f.feed(t, m, 0, 5, nil, 0, 0)
			if err := m.snapshot(ctx); err != nil {
				t.Fatal(err)
			}
			down := map[string]bool{"L1": true}
			f.feed(t, m, 5, tc.killAt, down, 10, 13)
			// m is gone without a word: no final commit, no snapshot.
			m2 := f.monitor(t)
			f.feed(t, m2, tc.killAt, 40, down, 10, 13)
			if n := countEvents(t, f, "L1"); n != 1 {
				t.Errorf("%d L1 events after the crash, want the one flap", n)
			}
			incs, _, err := f.reads(t).Incidents(ctx, AllCustomers, "", 0, 10)
			if err != nil || len(incs) != 1 {
				t.Errorf("incidents %+v %v, want the flap's one", incs, err)
			}
			f.ship(t)
			seen := map[string]bool{}
			for _, l := range f.pts.lines {
				if strings.HasPrefix(l, "line_event,") {
					seen[l] = true
				}
			}
			if len(seen) != 1 {
				t.Errorf("line_event points %v, want one", seen)
			}
		})
	}
}
