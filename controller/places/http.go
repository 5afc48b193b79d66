package places

import (
	"net/http"
	"strconv"
	"time"

	"github.com/vantage-net/vantage/internal/serve"
)

// Handler serves GET /api/v1/places (?limit=N, default 50, at most 1000):
// the ranked places to fix with their reasons. now is the controller's clock.
func Handler(r *Ranker, now func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		limit := defaultPlaceLimit
		if s := req.URL.Query().Get("limit"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > maxPlaceLimit {
				serve.JSON(w, http.StatusBadRequest, map[string]string{"error": "limit must be 1..1000", "field": "limit"})
				return
			}
			limit = n
		}
		places, err := r.Rank(req.Context(), now())
		if err != nil {
			serve.JSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
			return
		}
		if len(places) > limit {
			places = places[:limit]
		}
		serve.JSON(w, http.StatusOK, map[string]any{"places": places})
	})
}
