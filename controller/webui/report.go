package webui

import (
	"net/http"
	"net/url"
)

// report is GET /ui/customers/{id}/report?format=html|pdf|csv&period=week|month:
// the customer-impact report (GET /api/v1/reports/customers/{id}) through
// the session, so the browser never needs the token; a customer outside
// the scope is the 404 page. An HTML report carries its own inline styles,
// so its answer allows those (and still no script).
func (u *UI) report(w http.ResponseWriter, r *http.Request, v *view) {
	q := url.Values{"format": {"html"}, "lang": {v.Lang}}
	for _, k := range []string{"format", "period"} {
		if s := r.URL.Query().Get(k); s != "" {
			q.Set(k, s)
		}
	}
	rec, err := u.raw(r, v.ss, "/api/v1/reports/customers/"+url.PathEscape(r.PathValue("id"))+"?"+q.Encode())
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	h := w.Header()
	for _, k := range []string{"Content-Type", "Content-Disposition"} {
		if s := rec.h.Get(k); s != "" {
			h.Set(k, s)
		}
	}
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(rec.body.Bytes())
}
