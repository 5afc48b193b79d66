package loglimit

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// One agent flooding uses up its own burst only; after the window the
// next line says how many were swallowed.
func TestBurstPerKey(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	now := time.Unix(1e9, 0)
	l := New(func() time.Time { return now }, 10*time.Second, 3)
	for range 1000 {
		l.Warn(log, "cpe-rogue", "bad heartbeat", "agent", "cpe-rogue")
	}
	l.Warn(log, "cpe-good", "bad heartbeat", "agent", "cpe-good")
	if n := strings.Count(buf.String(), "agent=cpe-rogue"); n != 3 {
		t.Errorf("rogue agent logged %d lines in one window, want 3", n)
	}
	if !strings.Contains(buf.String(), "agent=cpe-good") {
		t.Errorf("another agent was silenced by the rogue one:\n%s", buf.String())
	}
	now = now.Add(10 * time.Second)
	buf.Reset()
	l.Warn(log, "cpe-rogue", "bad heartbeat", "agent", "cpe-rogue")
	if !strings.Contains(buf.String(), "suppressed_since_last=997") {
		t.Errorf("next window: %q, want suppressed_since_last=997", buf.String())
	}
}

// Keys are bounded: made-up keys beyond maxKeys do not grow the map.
func TestKeysBounded(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	now := time.Unix(1e9, 0)
	l := New(func() time.Time { return now }, time.Second, 1)
	for i := range 3 * maxKeys {
		l.Info(log, fmt.Sprint("k", i), "x")
	}
	if len(l.keys) > maxKeys {
		t.Errorf("%d keys remembered, bound %d", len(l.keys), maxKeys)
	}
}
