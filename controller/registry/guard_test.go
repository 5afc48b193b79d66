package registry

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/internal/clock"
	"github.com/vantage-net/vantage/internal/logbuf"
	"github.com/vantage-net/vantage/probes/result"
)

func newLoggedRegistry(t *testing.T) (*Registry, *logbuf.Buffer) {
	t.Helper()
	buf := &logbuf.Buffer{}
	r, err := New(context.Background(), Options{Points: &points{}, Clock: clock.NewFake(t0)},
		slog.New(slog.NewTextHandler(buf, nil)), prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	return r, buf
}

func heartbeat(t *testing.T, hb result.Heartbeat) []byte {
	t.Helper()
	data, err := json.Marshal(hb)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// A heartbeat interval of 1e12 s once overflowed the offline deadline
// (state_since in 1734). It is refused, counted and names the field.
func TestHeartbeatIntervalOutOfRangeRefused(t *testing.T) {
	r, buf := newLoggedRegistry(t)
	r.HandleMessage("vantage.heartbeat.cpe-1", heartbeat(t, result.Heartbeat{Agent: "cpe-1", Version: "1", Time: t0, IntervalS: 1e12}))
	if a, ok := r.Get("cpe-1"); ok {
		t.Fatalf("heartbeat with interval 1e12 s accepted: %+v", a)
	}
	if got := counter(r.m.heartbeats, "out_of_range"); got != 1 {
		t.Errorf("heartbeats{out_of_range} = %v, want 1", got)
	}
	if !strings.Contains(buf.String(), "interval_s: 1e+12 is outside 1..3600 s") {
		t.Errorf("log does not name the field:\n%s", buf.String())
	}
	// A sane one is taken, with a deadline in the future.
	r.HandleMessage("vantage.heartbeat.cpe-1", heartbeat(t, result.Heartbeat{Agent: "cpe-1", Version: "1", Time: t0, IntervalS: 10}))
	a, ok := r.Get("cpe-1")
	if !ok || a.State != Online || !a.StateSince.Equal(t0) {
		t.Errorf("sane heartbeat: %+v", a)
	}
}

// A 900 KB version string is cut before it is logged or kept, and one
// agent's bad heartbeats are logged a few times, not thousands.
func TestHeartbeatTextCutAndLogsLimited(t *testing.T) {
	r, buf := newLoggedRegistry(t)
	huge := strings.Repeat("v", 900_000)
	r.HandleMessage("vantage.heartbeat.cpe-1", heartbeat(t, result.Heartbeat{Agent: "cpe-1", Version: huge, Time: t0, IntervalS: 10}))
	a, ok := r.Get("cpe-1")
	if !ok || len(a.Version) > result.MaxVersionBytes+24 {
		t.Errorf("kept version of %d bytes", len(a.Version))
	}
	if n := len(buf.String()); n > 4096 {
		t.Errorf("log grew by %d bytes for one heartbeat", n)
	}
	before := len(buf.String())
	for range 1000 {
		r.HandleMessage("vantage.heartbeat.cpe-1", heartbeat(t, result.Heartbeat{Agent: "cpe-1", Version: huge, Time: t0, SpoolDepth: -1}))
	}
	if got := counter(r.m.heartbeats, "out_of_range"); got != 1000 {
		t.Errorf("heartbeats{out_of_range} = %v, want 1000", got)
	}
	if lines := strings.Count(buf.String()[before:], "\n"); lines > 5 {
		t.Errorf("1000 bad heartbeats logged %d lines", lines)
	}
}
