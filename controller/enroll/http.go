package enroll

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/internal/serve"
)

// Path is where the enrolment endpoint answers (POST, JSON {"token": …}).
const Path = "/enroll"

// Request is the agent's POST body.
type Request struct {
	Token string `json:"token"`
}

// Handler serves Path: 200 with an Enrolment, 403 for a token that is
// unknown, expired or used, 400 for a malformed request. Every answer is
// counted in vantage_controller_enroll_requests_total{result}.
func Handler(s *Store, log *slog.Logger, reg prometheus.Registerer) http.Handler {
	count := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vantage_controller_enroll_requests_total",
		Help: "Enrolment requests by result: ok, invalid (unknown, expired or used token), bad_request, error."}, []string{"result"})
	if reg != nil {
		reg.MustRegister(count)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+Path, func(w http.ResponseWriter, r *http.Request) {
		var req Request
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil || req.Token == "" {
			count.WithLabelValues("bad_request").Inc()
			serve.JSON(w, http.StatusBadRequest, map[string]string{"error": `body must be {"token": "ven_…"}`})
			return
		}
		e, err := s.Redeem(r.Context(), req.Token)
		switch {
		case errors.Is(err, ErrInvalid):
			count.WithLabelValues("invalid").Inc()
			log.Warn("enrolment refused", "remote", r.RemoteAddr, "reason", err)
			serve.JSON(w, http.StatusForbidden, map[string]string{"error": err.Error()})
		case err != nil:
			count.WithLabelValues("error").Inc()
			log.Error("enrolment failed", "remote", r.RemoteAddr, "err", err)
			serve.JSON(w, http.StatusConflict, map[string]string{"error": err.Error()})
		default:
			count.WithLabelValues("ok").Inc()
			log.Info("agent enrolled", "agent", e.AgentID, "remote", r.RemoteAddr)
			w.Header().Set("Cache-Control", "no-store")
			serve.JSON(w, http.StatusOK, e)
		}
	})
	return mux
}
