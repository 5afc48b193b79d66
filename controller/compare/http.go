package compare

import (
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/vantage-net/vantage/internal/serve"
)

// maxPeriod bounds one comparison's period.
const maxPeriod = 400 * 24 * time.Hour

// Handler serves GET /api/v1/compare?cell=…&test=…&from=…&to=… (RFC 3339
// times; to defaults to now, from to 24 h before to). now is the
// controller's clock.
func Handler(c *Comparer, now func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		bad := func(field, msg string) {
			serve.JSON(w, http.StatusBadRequest, map[string]string{"error": msg, "field": field})
		}
		cell := q.Get("cell")
		if cell == "" || len(cell) > 12 || strings.Trim(cell, "0123456789bcdefghjkmnpqrstuvwxyz") != "" {
			bad("cell", "cell must be a geohash grid cell (e.g. wx4g0bm)")
			return
		}
		test := q.Get("test")
		if _, ok := Tests[test]; !ok {
			names := make([]string, 0, len(Tests))
			for n := range Tests {
				names = append(names, n)
			}
			sort.Strings(names)
			bad("test", "test must be one of "+strings.Join(names, ", "))
			return
		}
		to := now()
		if s := q.Get("to"); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				bad("to", "to must be an RFC 3339 time (2026-11-20T08:00:00Z)")
				return
			}
			to = t
		}
		from := to.Add(-24 * time.Hour)
		if s := q.Get("from"); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				bad("from", "from must be an RFC 3339 time (2026-11-20T08:00:00Z)")
				return
			}
			from = t
		}
		if !from.Before(to) {
			bad("from", "from must be before to")
			return
		}
		if to.Sub(from) > maxPeriod {
			bad("from", "the period is longer than 400 days")
			return
		}
		rep, err := c.Compare(r.Context(), cell, test, from, to)
		if errors.Is(err, ErrUnknownTest) {
			bad("test", err.Error())
			return
		}
		if err != nil {
			serve.JSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
			return
		}
		serve.JSON(w, http.StatusOK, rep)
	})
}
