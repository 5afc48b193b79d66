// Package loglimit bounds how often the controller logs about one key (an
// agent, a rejection reason, a failing step): a misbehaving or hostile
// agent sending thousands of bad messages a second must not flood the log.
package loglimit

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// maxKeys bounds the keys remembered at once: beyond it, keys whose window
// has passed are forgotten (they have nothing left to report but a count
// of swallowed lines, which is then lost, not the log's bounds).
const maxKeys = 10_000

// Limiter allows at most Burst lines per key per Window, then stays silent
// until the window ends; the next line logged for the key carries
// suppressed_since_last, the number swallowed meanwhile. The zero value is
// not usable: call New.
type Limiter struct {
	mu     sync.Mutex
	now    func() time.Time
	window time.Duration
	burst  int
	keys   map[string]*window
}

type window struct {
	start      time.Time
	n          int
	suppressed int
}

// New returns a Limiter with burst lines per window per key, on the clock
// now (nil: time.Now).
func New(now func() time.Time, per time.Duration, burst int) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{now: now, window: per, burst: burst, keys: make(map[string]*window)}
}

// Warn logs msg at warning level unless key used up its burst.
func (l *Limiter) Warn(log *slog.Logger, key, msg string, args ...any) {
	l.log(log, slog.LevelWarn, key, msg, args)
}

// Info logs msg at info level unless key used up its burst.
func (l *Limiter) Info(log *slog.Logger, key, msg string, args ...any) {
	l.log(log, slog.LevelInfo, key, msg, args)
}

func (l *Limiter) log(log *slog.Logger, level slog.Level, key, msg string, args []any) {
	l.mu.Lock()
	now := l.now()
	w := l.keys[key]
	if w == nil {
		if len(l.keys) >= maxKeys {
			l.forget(now)
		}
		w = &window{start: now}
		l.keys[key] = w
	}
	if now.Sub(w.start) >= l.window {
		w.start, w.n = now, 0
	}
	w.n++
	if w.n > l.burst {
		w.suppressed++
		l.mu.Unlock()
		return
	}
	if w.suppressed > 0 {
		args = append(args, "suppressed_since_last", w.suppressed)
		w.suppressed = 0
	}
	l.mu.Unlock()
	log.Log(context.Background(), level, msg, args...)
}

// forget drops keys whose window has passed; if none has, all of them,
// so the map never exceeds maxKeys. The caller holds mu.
func (l *Limiter) forget(now time.Time) {
	for k, w := range l.keys {
		if now.Sub(w.start) >= l.window {
			delete(l.keys, k)
		}
	}
	if len(l.keys) >= maxKeys {
		clear(l.keys)
	}
}
