package influx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testinflux"
	"github.com/vantage-net/vantage/probes/result"
)

func newWriter(t *testing.T, url, bucket string, opts Options) (*Writer, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	opts.URL, opts.Bucket = url, bucket
	w, err := New(opts, nil, reg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	return w, reg
}

// Points land with the types of result.Schemas, the agent tag, and the
// error field, as a dashboard reads them back with Flux.
func TestWriteTypesInInfluxDB(t *testing.T) {
	srv := testinflux.Start(t)
	ctx := lab.Deadline(t, time.Minute)
	w, _ := newWriter(t, srv.URL, srv.Bucket, Options{})
	var b Batch
	for _, r := range sample() {
		if err := b.Add("cpe-0001", &r); err != nil {
			t.Fatal(err)
		}
	}
	rej, err := w.Write(ctx, &b)
	if err != nil || len(rej) != 0 {
		t.Fatalf("Write = %v, %v", rej, err)
	}
	if got := counterValue(w.m.written); got != float64(b.Len()) {
		t.Errorf("points written metric = %v, want %d", got, b.Len())
	}
	if n := counterValue(w.m.duration); n != 1 {
		t.Errorf("write requests timed = %v, want 1", n)
	}

	rows, err := srv.Points(ctx, "ping")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 {
		t.Fatalf("ping rows = %v", rows)
	}
	p := rows[0]
	for k, want := range map[string]any{
		"agent": "cpe-0001", "target": "198.18.0.1", "customer": "ACME Corp", "line": "L-0001",
		"sent": int64(5), "recv": int64(4), "loss_pct": 20.0, "rtt_avg_ms": 1.25,
	} {
		if p[k] != want {
			t.Errorf("ping %s = %#v, want %#v", k, p[k], want)
		}
	}
	if _, ok := p["site"]; ok && p["site"] != nil {
		t.Errorf("empty tag site was written: %#v", p["site"])
	}
	if ts, _ := p["_time"].(time.Time); !ts.Equal(t0) {
		t.Errorf("ping time = %v, want %v (nanoseconds kept)", p["_time"], t0)
	}

	dial, err := srv.Points(ctx, "dial")
	if err != nil {
		t.Fatal(err)
	}
	if len(dial) != 2 {
		t.Fatalf("dial rows = %v", dial)
	}
	for _, d := range dial {
		switch d["kind"] {
		case "tls":
			if d["ok"] != false || d["error"] != "timeout" || d["connect_ms"] != 3.5 {
				t.Errorf("failed tls dial = %v", d)
			}
		case "tcp":
			if d["error"] != "refused" {
				t.Errorf("refused tcp dial = %v", d)
			}
		}
	}
	ifs, err := srv.Points(ctx, "snmp_if")
	if err != nil || len(ifs) != 1 || ifs[0]["oper_up"] != true || ifs[0]["in_errors"] != int64(0) || ifs[0]["in_bps"] != 1e9 {
		t.Errorf("snmp_if = %v, %v", ifs, err)
	}
}

// A point whose field type conflicts with what the shard holds is isolated
// and returned; every other point of the batch lands.
func TestWriteIsolatesTypeConflict(t *testing.T) {
	srv := testinflux.Start(t)
	ctx := lab.Deadline(t, time.Minute)
	// jitter_ms becomes an integer field in this shard, so the one result
	// below that carries jitter_ms (a float) conflicts.
	seed := fmt.Sprintf("ping,agent=seed,target=t jitter_ms=1i %d\n", t0.UnixNano())
	resp, err := http.Post(srv.URL+"/api/v2/write?bucket="+srv.Bucket, "text/plain", strings.NewReader(seed))
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("seed write: %v %v", resp, err)
	}
	w, _ := newWriter(t, srv.URL, srv.Bucket, Options{BatchSize: 16})
	const n, bad1, bad2 = 50, 17, 41
	var b Batch
	for i := range n {
		r := result.Result{Time: t0.Add(time.Duration(i) * time.Second), Measurement: "ping",
			Tags: map[string]string{"target": fmt.Sprintf("198.18.1.%d", i)}, Fields: map[string]float64{"sent": 1, "recv": 1}}
		if i == bad1 || i == bad2 {
			r.Fields["jitter_ms"] = 0.25
		}
		if err := b.Add("cpe-0002", &r); err != nil {
			t.Fatal(err)
		}
	}
	rej, err := w.Write(ctx, &b)
	if err != nil {
		t.Fatal(err)
	}
	if len(rej) != 2 || rej[0].Index+rej[1].Index != bad1+bad2 || (rej[0].Index != bad1 && rej[0].Index != bad2) {
		t.Fatalf("rejected = %+v, want points %d and %d", rej, bad1, bad2)
	}
	if !strings.Contains(rej[0].Reason, "field type conflict") {
		t.Errorf("reason = %q", rej[0].Reason)
	}
	if got := counterValue(w.m.errors.WithLabelValues(classRejected)); got < 2 {
		t.Errorf("rejected errors metric = %v", got)
	}
	if err := w.Healthy(); err != nil {
		t.Errorf("a rejected point made the writer unhealthy: %v", err)
	}
	count, err := srv.Count(ctx, "ping")
	if err != nil {
		t.Fatal(err)
	}
	if count != n-2+1 { // the good points and the seed
		t.Fatalf("ping points = %d, want %d", count, n-2+1)
	}
}

// fakeInflux answers write requests with status(body, request number).
func fakeInflux(t *testing.T, status func(body string, n int) int) (*httptest.Server, *atomic.Int64) {
	var reqs atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		code := status(string(body), int(reqs.Add(1)))
		if code >= 300 {
			w.Header().Set("X-Influxdb-Error", fmt.Sprintf("fake error %d", code))
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(srv.Close)
	return srv, &reqs
}

func batchOf(t *testing.T, n int, mark map[int]bool) *Batch {
	var b Batch
	for i := range n {
		probe := "good"
		if mark[i] {
			probe = "bad"
		}
		r := result.Result{Time: t0.Add(time.Duration(i)), Measurement: "snmp",
			Tags: map[string]string{"device": probe, "metric": "m"}, Fields: map[string]float64{"value": float64(i)}}
		if err := b.Add("a", &r); err != nil {
			t.Fatal(err)
		}
	}
	return &b
}

// 5xx, 429, 401 and network errors are retried (not split, not rejected)
// until the server recovers.
func TestWriteRetriesTransientFailures(t *testing.T) {
	for _, c := range []struct {
		code  int
		class string
	}{{503, classServer}, {429, classThrottled}, {401, classAuth}, {404, classNotFound}} {
		t.Run(c.class, func(t *testing.T) {
			srv, reqs := fakeInflux(t, func(_ string, n int) int {
				if n <= 3 {
					return c.code
				}
				return http.StatusNoContent
			})
			w, _ := newWriter(t, srv.URL, "db/rp", Options{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})
			rej, err := w.Write(lab.Deadline(t, 30*time.Second), batchOf(t, 10, nil))
			if err != nil || len(rej) != 0 {
				t.Fatalf("Write = %v, %v", rej, err)
			}
			if reqs.Load() != 4 {
				t.Errorf("requests = %d, want 3 failures and 1 success", reqs.Load())
			}
			if got := counterValue(w.m.errors.WithLabelValues(c.class)); got != 3 {
				t.Errorf("errors{class=%s} = %v, want 3", c.class, got)
			}
		})
	}
}

// While the server stays down, Write keeps trying until its context ends,
// returns that error, and Healthy reports the outage.
func TestWriteGivesUpOnlyWithContext(t *testing.T) {
	srv, _ := fakeInflux(t, func(string, int) int { return http.StatusInternalServerError })
	w, _ := newWriter(t, srv.URL, "db/rp", Options{MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, UnhealthyAfter: time.Nanosecond})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	rej, err := w.Write(ctx, batchOf(t, 10, nil))
	if err == nil || rej != nil {
		t.Fatalf("Write = %v, %v; want the context's error", rej, err)
	}
	if err := w.Healthy(); err == nil || !strings.Contains(err.Error(), "server") {
		t.Errorf("Healthy = %v, want the failing class", err)
	}

	down := httptest.NewServer(http.NotFoundHandler())
	down.Close() // nothing listens at its address any more
	w2, _ := newWriter(t, down.URL, "db/rp", Options{MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond})
	ctx2, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	if _, err := w2.Write(ctx2, batchOf(t, 3, nil)); err == nil {
		t.Fatal("Write to a closed port succeeded")
	}
	if got := counterValue(w2.m.errors.WithLabelValues(classNetwork)); got < 1 {
		t.Errorf("network errors = %v", got)
	}
}

// Bisecting finds every bad point with a bounded number of requests and
// writes the rest.
func TestWriteBisects(t *testing.T) {
	bad := map[int]bool{0: true, 333: true, 334: true, 999: true}
	var goodWritten atomic.Int64
	srv, reqs := fakeInflux(t, func(body string, _ int) int {
		if strings.Contains(body, "device=bad") {
			return http.StatusBadRequest
		}
		goodWritten.Add(int64(bytes.Count([]byte(body), []byte("\n"))))
		return http.StatusNoContent
	})
	w, _ := newWriter(t, srv.URL, "db/rp", Options{BatchSize: 1000})
	rej, err := w.Write(lab.Deadline(t, 30*time.Second), batchOf(t, 1000, bad))
	if err != nil {
		t.Fatal(err)
	}
	got := map[int]bool{}
	for _, r := range rej {
		got[r.Index] = true
		if r.Reason != "fake error 400" {
			t.Errorf("reason = %q", r.Reason)
		}
	}
	if len(got) != len(bad) {
		t.Fatalf("rejected %v, want %v", got, bad)
	}
	for i := range bad {
		if !got[i] {
			t.Errorf("point %d not rejected", i)
		}
	}
	if goodWritten.Load() != 1000-int64(len(bad)) {
		t.Errorf("good points written = %d", goodWritten.Load())
	}
	if reqs.Load() > 4*2*10+1 {
		t.Errorf("%d requests to isolate %d points in 1000", reqs.Load(), len(bad))
	}
}

// TryWrite gives up at the first transient failure (one request, no
// retry), says so with ErrUnavailable and leaves Healthy reporting it; a
// refused point is still bisected out and the rest written.
func TestTryWriteGivesUpAtOnce(t *testing.T) {
	for _, code := range []int{503, 429, 401} {
		srv, reqs := fakeInflux(t, func(string, int) int { return code })
		w, _ := newWriter(t, srv.URL, "db/rp", Options{BatchSize: 4, Parallel: 1, UnhealthyAfter: time.Nanosecond})
		rej, err := w.TryWrite(lab.Deadline(t, 30*time.Second), batchOf(t, 10, nil))
		if !errors.Is(err, ErrUnavailable) || rej != nil {
			t.Fatalf("status %d: TryWrite = %v, %v; want ErrUnavailable", code, rej, err)
		}
		if reqs.Load() != 1 {
			t.Errorf("status %d: %d requests, want 1 (no retry, the other chunks not sent)", code, reqs.Load())
		}
		if w.Healthy() == nil {
			t.Errorf("status %d: Healthy reports nothing", code)
		}
	}

	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	w, _ := newWriter(t, down.URL, "db/rp", Options{})
	if _, err := w.TryWrite(lab.Deadline(t, 30*time.Second), batchOf(t, 3, nil)); !errors.Is(err, ErrUnavailable) {
		t.Errorf("TryWrite to a closed port = %v, want ErrUnavailable", err)
	}

	srv, _ := fakeInflux(t, func(body string, _ int) int {
		if strings.Contains(body, "device=bad") {
			return http.StatusBadRequest
		}
		return http.StatusNoContent
	})
	w, _ = newWriter(t, srv.URL, "db/rp", Options{})
	rej, err := w.TryWrite(lab.Deadline(t, 30*time.Second), batchOf(t, 10, map[int]bool{7: true}))
	if err != nil || len(rej) != 1 || rej[0].Index != 7 {
		t.Errorf("TryWrite with one refused point = %v, %v; want point 7 rejected", rej, err)
	}
}
