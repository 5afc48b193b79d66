package influx

import (
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// health remembers the current streak of failed writes, so Healthy can
// answer without a request and the log gets one line when writes start
// failing and one when they recover, not one per retry.
type health struct {
	mu           sync.Mutex
	lastOK       time.Time
	failingSince time.Time // zero while writes succeed
	class        string
	lastErr      error
}

func (h *health) ok(now time.Time, log *slog.Logger) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.failingSince.IsZero() {
		log.Info("InfluxDB writes recovered", "failed_for", now.Sub(h.failingSince).Round(time.Millisecond))
	}
	h.lastOK = now
	h.failingSince = time.Time{}
	h.class = ""
	h.lastErr = nil
}

func (h *health) failed(now time.Time, class string, err error, log *slog.Logger) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.failingSince.IsZero() || class != h.class {
		// Logged here, where the error is handled (by retrying); Write does
		// not return it.
		log.Error("InfluxDB write failed; retrying with backoff", "class", class, "err", err)
	}
	if h.failingSince.IsZero() {
		h.failingSince = now
	}
	h.class = class
	h.lastErr = err
}

// Healthy returns nil unless writes have kept failing for longer than
// Options.UnhealthyAfter; the error then says since when and why.
func (w *Writer) Healthy() error {
	h := &w.health
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.failingSince.IsZero() || w.now().Sub(h.failingSince) < w.opts.UnhealthyAfter {
		return nil
	}
	last := "never"
	if !h.lastOK.IsZero() {
		last = h.lastOK.UTC().Format(time.RFC3339)
	}
	return fmt.Errorf("InfluxDB writes failing since %s (%s: %v); last successful write %s",
		h.failingSince.UTC().Format(time.RFC3339), h.class, h.lastErr, last)
}

// LastWrite returns when a write request last succeeded (zero: never).
func (w *Writer) LastWrite() time.Time {
	w.health.mu.Lock()
	defer w.health.mu.Unlock()
	return w.health.lastOK
}
