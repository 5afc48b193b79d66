package influx

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"
	"unsafe"

	influxdb2 "github.com/influxdata/influxdb-client-go/v2"
	"github.com/influxdata/influxdb-client-go/v2/api"
	http2 "github.com/influxdata/influxdb-client-go/v2/api/http"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/internal/redact"
)

// Rejected is a point InfluxDB refused on its own merits.
type Rejected struct {
	// Index is the point's position in the Batch passed to Write.
	Index int
	// Reason is InfluxDB's message, such as "partial write: field type
	// conflict: input field "sent" on measurement "ping" is type float,
	// already exists as type integer dropped=1".
	Reason string
}

// Writer writes Batches to one InfluxDB bucket. It is safe for concurrent
// use.
type Writer struct {
	opts   Options
	log    *slog.Logger
	client influxdb2.Client
	hc     *http.Client
	api    api.WriteAPIBlocking
	m      *metrics
	now    func() time.Time
	health health
}

// New returns a Writer for opts. It does not contact the server; see Ping.
// Metrics are registered with reg (nil: not registered).
func New(opts Options, log *slog.Logger, reg prometheus.Registerer) (*Writer, error) {
	if err := opts.setDefaults(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	hc := opts.HTTPClient
	if hc == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = opts.Parallel + 1
		hc = &http.Client{Transport: t, Timeout: opts.RequestTimeout}
	}
	co := influxdb2.DefaultOptions().
		SetHTTPClient(hc).
		SetApplicationName("vantage-controller").
		SetPrecision(time.Nanosecond)
	client := influxdb2.NewClientWithOptions(opts.URL, opts.Token, co)
	return &Writer{
		opts:   opts,
		log:    log.With("influx", redact.URL(opts.URL), "bucket", opts.Bucket),
		client: client,
		hc:     hc,
		api:    client.WriteAPIBlocking(opts.Org, opts.Bucket),
		m:      newMetrics(reg),
		now:    time.Now,
	}, nil
}

// Close releases idle connections, so no keep-alive connection (and its
// two goroutines) outlives the controller.
func (w *Writer) Close() {
	w.client.Close()
	w.hc.CloseIdleConnections()
}

// Ping checks that the server answers, for a start-up message that names a
// wrong URL at once instead of after the first failed write.
func (w *Writer) Ping(ctx context.Context) error {
	ok, err := w.client.Ping(ctx)
	if err != nil {
		return fmt.Errorf("influx %s: %w", redact.URL(w.opts.URL), err)
	}
	if !ok {
		return fmt.Errorf("influx %s: ping failed", redact.URL(w.opts.URL))
	}
	return nil
}

// Write writes every point of b. It returns the points InfluxDB refused on
// their own (the rest are written), or an error only when ctx ends first;
// transient failures are retried until then, so a nil error means every
// point was either written or returned as rejected.
func (w *Writer) Write(ctx context.Context, b *Batch) ([]Rejected, error) {
	return w.write(ctx, b, false)
}

// ErrUnavailable wraps TryWrite's error when InfluxDB could not take the
// points for a reason that is not theirs: network, timeout, 5xx, 429,
// auth, missing database.
var ErrUnavailable = errors.New("InfluxDB unavailable")

// TryWrite is Write without the retries: it bisects refused ranges down to
// the points at fault as Write does, but gives up at the first transient
// failure and returns it wrapped in ErrUnavailable (or ctx's error). Some
// chunks may have been written by then; writing them again is harmless
// (the same point overwrites itself). The ingest uses it so that a dead
// InfluxDB costs one request, not a pipeline blocked in retries.
func (w *Writer) TryWrite(ctx context.Context, b *Batch) ([]Rejected, error) {
	return w.write(ctx, b, true)
}

func (w *Writer) write(ctx context.Context, b *Batch, once bool) ([]Rejected, error) {
	n := b.Len()
	if n == 0 {
		return nil, nil
	}
	var (
		mu       sync.Mutex
		rejected []Rejected
		firstErr error
	)
	reject := func(i int, reason string) {
		mu.Lock()
		rejected = append(rejected, Rejected{Index: i, Reason: reason})
		mu.Unlock()
	}
	// With once, the first chunk that fails stops the others: the answer
	// (unavailable) is known, waiting for them would only delay it.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Chunks go out Parallel at a time; each chunk retries on its own.
	sem := make(chan struct{}, w.opts.Parallel)
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += w.opts.BatchSize {
		hi := min(lo+w.opts.BatchSize, n)
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := w.writeRange(ctx, b, lo, hi, once, reject); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				cancel()
			}
		})
	}
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return rejected, nil
}

// writeRange writes points [lo, hi) of b, retrying transient failures (or,
// with once, returning the first) and bisecting refused ranges down to the
// single points at fault.
func (w *Writer) writeRange(ctx context.Context, b *Batch, lo, hi int, once bool, reject func(int, string)) error {
	for attempt := 0; ; attempt++ {
		err := w.post(ctx, b.lines(lo, hi))
		if err == nil {
			w.m.written.Add(float64(hi - lo))
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		class, act, wait := classify(err)
		w.m.errors.WithLabelValues(class).Inc()
		if act == split {
			if hi-lo == 1 {
				w.m.rejected.Inc()
				reject(lo, errorMessage(err))
				return nil
			}
			mid := lo + (hi-lo)/2
			if err := w.writeRange(ctx, b, lo, mid, once, reject); err != nil {
				return err
			}
			return w.writeRange(ctx, b, mid, hi, once, reject)
		}
		w.health.failed(w.now(), class, err, w.log)
		if once {
			return fmt.Errorf("%w (%s): %v", ErrUnavailable, class, errorMessage(err))
		}
		if err := sleep(ctx, w.opts.backoff(attempt, wait)); err != nil {
			return err
		}
	}
}

// post sends one write request. The body aliases the batch's buffer without
// copying: the client only reads it, and the batch is not changed while a
// Write is running.
func (w *Writer) post(ctx context.Context, body []byte) error {
	start := time.Now()
	err := w.api.WriteRecord(ctx, unsafe.String(unsafe.SliceData(body), len(body)))
	w.m.duration.Observe(time.Since(start).Seconds())
	if err == nil {
		w.health.ok(w.now(), w.log)
	}
	return err
}

// errorMessage extracts InfluxDB's own words from a client error: the JSON
// message (2.x), or the X-Influxdb-Error header (1.8 and proxies).
func errorMessage(err error) string {
	var he *http2.Error
	if errors.As(err, &he) {
		if he.Message != "" {
			return he.Message
		}
		if m := he.Header.Get("X-Influxdb-Error"); m != "" {
			return m
		}
	}
	return err.Error()
}
