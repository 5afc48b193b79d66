// Package serve runs the small HTTP server each binary exposes for /metrics,
// /healthz and (in the controller) the API, and the logger both binaries use.
package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"
)

// Health reports whether the process is healthy and a few facts an operator
// wants at a glance; ok false makes /healthz answer 503.
type Health func() (ok bool, details map[string]any)

// MuxHandler returns a mux with metrics on /metrics and /healthz for
// health. The agent passes internal/metrics.Handler, which in edge builds
// does not link client_golang.
func MuxHandler(metrics http.Handler, health Health) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ok, details := health()
		if details == nil {
			details = map[string]any{}
		}
		details["status"] = "ok"
		w.Header().Set("Content-Type", "application/json")
		if !ok {
			details["status"] = "unhealthy"
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_ = json.NewEncoder(w).Encode(details)
	})
	return mux
}

// Listen binds addr now, so a port clash fails at start and ":0" resolves to
// a real port the caller can print.
func Listen(addr string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("http_listen %s: %w", addr, err)
	}
	return l, nil
}

// Serve serves h on l until ctx ends, then shuts down gracefully.
// It returns only after the shutdown finished (open requests done or 5 s
// passed), so nothing it started outlives it.
func Serve(ctx context.Context, l net.Listener, h http.Handler, log *slog.Logger) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("http server", "err", err)
	}
	<-stopped
}

// NewLogger returns a slog logger writing to stderr in text or json.
func NewLogger(level, format string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// JSON writes v as a JSON response with status code.
func JSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
