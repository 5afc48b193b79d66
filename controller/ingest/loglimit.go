package ingest

import (
	"log/slog"
	"sync"
	"time"
)

// logLimiter bounds warnings per key (a reason, a failing step): at most
// burst lines per window, then silence, with the number of swallowed lines
// on the next one. A misbehaving agent sending thousands of bad messages a
// second must not flood the controller's log.
type logLimiter struct {
	mu     sync.Mutex
	now    func() time.Time
	window time.Duration
	burst  int
	keys   map[string]*logWindow
}

type logWindow struct {
	start      time.Time
	n          int
	suppressed int
}

func (l *logLimiter) init(now func() time.Time, window time.Duration, burst int) {
	l.now, l.window, l.burst = now, window, burst
	l.keys = make(map[string]*logWindow)
}

func (l *logLimiter) warn(log *slog.Logger, key, msg string, args ...any) {
	l.mu.Lock()
	now := l.now()
	w := l.keys[key]
	if w == nil {
		w = &logWindow{start: now}
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
	log.Warn(msg, args...)
}
