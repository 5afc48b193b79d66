package spool

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/vantage-net/vantage/agent/publish"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// msg is the i-th test message: 2 results, an id of fixed width so every
// record has the same size.
func msg(i int) publish.Message {
	return publish.Message{ID: fmt.Sprintf("a1-e-%06d", i), Data: fmt.Appendf(nil, `{"agent":"a1","n":%06d}`, i), Results: 2}
}

// drops records what Options.Dropped was told.
type drops struct {
	mu sync.Mutex
	by map[string]int
}

func (d *drops) add(n int, reason string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.by == nil {
		d.by = map[string]int{}
	}
	d.by[reason] += n
}

func (d *drops) get(reason string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.by[reason]
}

// open opens a spool in dir with test defaults; edit adjusts the options.
func open(t testing.TB, dir string, edit func(*Options)) *Spool {
	t.Helper()
	o := Options{Dir: dir, MaxBytes: 1 << 20, Fsync: FsyncNever, Logger: quiet, Registerer: prometheus.NewRegistry()}
	if edit != nil {
		edit(&o)
	}
	s, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// ids takes every waiting message off s, oldest first, acknowledging each.
func ids(t testing.TB, s *Spool) []string {
	t.Helper()
	var out []string
	for {
		m, ok := s.Peek()
		if !ok {
			return out
		}
		out = append(out, m.ID)
		s.Pop()
	}
}

// peekAll lists the waiting ids without acknowledging: it reopens the
// directory read-only-ish, so s is closed first.
func reopenIDs(t testing.TB, dir string, edit func(*Options)) []string {
	t.Helper()
	s := open(t, dir, edit)
	defer s.Close()
	return ids(t, s)
}

func idRange(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, msg(i).ID)
	}
	return out
}

func segFiles(t testing.TB, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*"+segSuffix))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func value(c prometheus.Counter) int {
	var m dto.Metric
	_ = c.Write(&m)
	return int(m.GetCounter().GetValue())
}

func damaged(s *Spool, kind string) int { return value(s.m.damaged.WithLabelValues(kind)) }

func droppedMetric(s *Spool, reason string) int { return value(s.m.dropped.WithLabelValues(reason)) }

func recordSize(i int) int64 {
	m := msg(i)
	return int64(len(encode(&rec{id: m.ID, data: m.Data})))
}

func mustWrite(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
