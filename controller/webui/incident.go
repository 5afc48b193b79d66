package webui

import (
	"net/http"
	"strconv"
	"time"

	"github.com/vantage-net/vantage/controller/linehealth"
)

// notification is the part of GET /api/v1/notifications a page shows.
type notification struct {
	ID        int64      `json:"id"`
	Incident  int64      `json:"incident"`
	Customer  string     `json:"customer"`
	Kind      string     `json:"kind"`
	Channel   string     `json:"channel"`
	Recipient string     `json:"recipient"`
	Status    string     `json:"status"`
	Due       time.Time  `json:"due"`
	Sent      *time.Time `json:"sent"`
	Subject   string     `json:"subject"`
}

type incidentData struct {
	linehealth.IncidentDetail
	Notifications []notification
	// Acks are the timeline's acknowledgement entries.
	Acks []int
}

// incidentID parses {id}; a malformed id is the same 404 as an unknown one.
func incidentID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

// incident is GET /ui/incidents/{id}.
func (u *UI) incident(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := incidentID(r)
	if !ok {
		u.notFound(w, r, v)
		return
	}
	var d incidentData
	if err := u.get(r.Context(), v.ss, "/api/v1/incidents/"+strconv.FormatInt(id, 10), &d.IncidentDetail); err != nil {
		u.fail(w, r, v, err)
		return
	}
	// Notifications are there only with a notify block; without one the
	// page simply has none to show.
	var ns struct {
		Notifications []notification `json:"notifications"`
	}
	if err := u.get(r.Context(), v.ss, "/api/v1/notifications?incident="+strconv.FormatInt(id, 10), &ns); err == nil {
		d.Notifications = ns.Notifications
	}
	for i, e := range d.Timeline {
		if e.What == "acknowledged" {
			d.Acks = append(d.Acks, i)
		}
	}
	if r.URL.Query().Get("acked") == "1" {
		v.Msg = v.L["acked"]
	}
	v.Title, v.Data = v.L["incident"]+" VAN-"+strconv.FormatInt(id, 10), &d
	u.render(w, http.StatusOK, "incident", v)
}

// ack is POST /ui/incidents/{id}/ack (CSRF checked by page). The incident
// is read through the caller's scope first, so an id outside it is the
// 404 page whatever the role; then the API's acknowledge decides the role.
func (u *UI) ack(w http.ResponseWriter, r *http.Request, v *view) {
	id, ok := incidentID(r)
	if !ok {
		u.notFound(w, r, v)
		return
	}
	path := "/api/v1/incidents/" + strconv.FormatInt(id, 10)
	if err := u.get(r.Context(), v.ss, path, nil); err != nil {
		u.fail(w, r, v, err)
		return
	}
	// With tokens the API records the token's name; without, "ui".
	var body any
	if !u.auth {
		body = map[string]string{"by": "ui"}
	}
	if err := u.call(r.Context(), v.ss, http.MethodPost, path+"/ack", body, nil); err != nil {
		u.fail(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/ui/incidents/"+strconv.FormatInt(id, 10)+"?acked=1", http.StatusSeeOther)
}
