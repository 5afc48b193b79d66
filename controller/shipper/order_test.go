package shipper

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/controller/store/storetest"
)

// commitDuringWrite commits a producer's transaction while the shipper's
// first batch is being written.
type commitDuringWrite struct {
	influxFake
	held *sql.Tx
}

func (c *commitDuringWrite) Write(ctx context.Context, b *influx.Batch) ([]influx.Rejected, error) {
	if c.held != nil {
		if err := c.held.Commit(); err != nil {
			return nil, err
		}
		c.held = nil
	}
	return c.influxFake.Write(ctx, b)
}

// On PostgreSQL seqs are not committed in their order: a producer's
// transaction that took a lower seq may commit while a batch with higher
// seqs is being written. Its point is shipped next, not deleted unshipped
// with the batch (DELETE … WHERE seq <= last did that).
func TestPointCommittedDuringWriteIsShipped(t *testing.T) {
	storetest.PostgresOnly(t)
	w := &commitDuringWrite{}
	s, _ := newShipper(t, w, Options{BatchSize: 10})
	ctx := context.Background()
	held, err := s.opts.DB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Rollback()
	if _, err := s.EnqueueTx(ctx, held, linePoints(1, 0)); err != nil { // L0: the lower seq, not committed yet
		t.Fatal(err)
	}
	if err := s.Enqueue(ctx, linePoints(1, 1)); err != nil { // L1: committed first
		t.Fatal(err)
	}
	w.held = held
	for range 2 { // the second as Run's next round: L0 arrived after the first read
		if _, err := s.Drain(ctx); err != nil {
			t.Fatal(err)
		}
	}
	got := strings.Join(w.lines, "\n")
	if !strings.Contains(got, "line=L0") || !strings.Contains(got, "line=L1") {
		t.Fatalf("InfluxDB got %q, want the points of L0 and L1", w.lines)
	}
	if d, _ := s.depth(ctx, s.opts.DB); d != 0 {
		t.Fatalf("depth %d after the drain", d)
	}
}
