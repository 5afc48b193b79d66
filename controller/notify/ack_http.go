package notify

import (
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"strconv"

	"github.com/vantage-net/vantage/controller/apiauth"
	"github.com/vantage-net/vantage/internal/serve"
)

// RegisterAckAPI adds POST /api/v1/incidents/{id}/ack, body {"by": "..."}
// (optional), behind wrap (the controller requires admin or ops). Who
// acknowledged is the token's name (acker).
func (n *Notifier) RegisterAckAPI(mux *http.ServeMux, wrap func(http.Handler) http.Handler) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			serve.JSON(w, http.StatusBadRequest, apiError{"id must be an incident id", "id"})
			return
		}
		var body struct {
			By string `json:"by"`
		}
		if r.ContentLength != 0 {
			if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&body); err != nil {
				serve.JSON(w, http.StatusBadRequest, apiError{"body must be {\"by\": \"name\"}", "by"})
				return
			}
		}
		body.By = acker(r, body.By)
		switch err := n.Ack(r.Context(), id, body.By, "api", ""); {
		case errors.Is(err, ErrUnknownIncident):
			serve.JSON(w, http.StatusNotFound, apiError{"incident not found", "id"})
		case err != nil:
			n.log.Error("acknowledge", "incident", id, "err", err)
			serve.JSON(w, http.StatusInternalServerError, apiError{Error: "internal error"})
		default:
			serve.JSON(w, http.StatusOK, map[string]any{"incident": id, "acknowledged_by": body.By})
		}
	})
	mux.Handle("POST /api/v1/incidents/{id}/ack", wrap(h))
}

// acker is who an API acknowledgement is recorded as: with tokens, the
// token's name, so the record says who acted whatever the body claims (a
// differing "by" is kept after it, as "ops-ann (on behalf of bob)"); without
// tokens (api_auth off) the body's "by", else "api".
func acker(r *http.Request, by string) string {
	if p, ok := apiauth.FromContext(r.Context()); ok && p.Name != "" {
		if by == "" || by == p.Name {
			return p.Name
		}
		return p.Name + " (on behalf of " + by + ")"
	}
	if by == "" {
		return "api"
	}
	return by
}

var ackPage = template.Must(template.New("ack").Parse(`<!DOCTYPE html>
<html><body>
<p>{{.Msg}}</p>
{{if .Form}}<form method="post"><button type="submit">Acknowledge incident VAN-{{.Incident}} / 确认工单 VAN-{{.Incident}}</button></form>{{end}}
</body></html>`))

// RegisterAckLinks adds the signed link's page, outside the API's token
// check: GET /ack/{token} shows a confirmation button (a mail scanner
// following links acknowledges nothing), POST acknowledges, once.
// A forged link is 403, an expired one 410, a used one 409.
func (n *Notifier) RegisterAckLinks(mux *http.ServeMux) {
	page := func(w http.ResponseWriter, code int, msg string, id int64, form bool) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(code)
		_ = ackPage.Execute(w, map[string]any{"Msg": msg, "Incident": id, "Form": form})
	}
	handle := func(w http.ResponseWriter, r *http.Request) {
		id, who, sig, err := n.verifyAck(r.PathValue("token"))
		switch {
		case errors.Is(err, ErrLinkExpired):
			page(w, http.StatusGone, "This link has expired. / 链接已过期。", 0, false)
			return
		case err != nil:
			page(w, http.StatusForbidden, "This link is not valid. / 链接无效。", 0, false)
			return
		}
		if r.Method == http.MethodGet {
			page(w, http.StatusOK, "Acknowledge that you are handling this incident.", id, true)
			return
		}
		switch err := n.Ack(r.Context(), id, who, "link", sig); {
		case errors.Is(err, ErrLinkUsed):
			page(w, http.StatusConflict, "This link was already used. / 链接已使用。", id, false)
		case errors.Is(err, ErrUnknownIncident):
			page(w, http.StatusNotFound, "Unknown incident.", id, false)
		case err != nil:
			n.log.Error("acknowledge by link", "incident", id, "err", err)
			page(w, http.StatusInternalServerError, "Internal error.", id, false)
		default:
			page(w, http.StatusOK, "Acknowledged. Thank you. / 已确认，谢谢。", id, false)
		}
	}
	mux.HandleFunc("GET /ack/{token}", handle)
	mux.HandleFunc("POST /ack/{token}", handle)
}
