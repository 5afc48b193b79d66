package webui

import (
	"net/http"

	"github.com/vantage-net/vantage/controller/linehealth"
	"github.com/vantage-net/vantage/controller/registry"
)

// incidents is GET /ui/incidents: the newest 200, open and closed.
func (u *UI) incidents(w http.ResponseWriter, r *http.Request, v *view) {
	var body struct {
		Incidents []linehealth.IncidentSummary `json:"incidents"`
	}
	if err := u.get(r.Context(), v.ss, "/api/v1/incidents?limit=200", &body); err != nil {
		u.fail(w, r, v, err)
		return
	}
	v.Title, v.Data = v.L["incidents"], body.Incidents
	u.render(w, http.StatusOK, "incidents", v)
}

// agents is GET /ui/agents (admin and ops; the API answers 403 otherwise).
func (u *UI) agents(w http.ResponseWriter, r *http.Request, v *view) {
	var body struct {
		Agents []registry.Agent `json:"agents"`
	}
	if err := u.get(r.Context(), v.ss, "/api/v1/agents", &body); err != nil {
		u.fail(w, r, v, err)
		return
	}
	v.Title, v.Data = v.L["agents"], body.Agents
	u.render(w, http.StatusOK, "agents", v)
}

// notifications is GET /ui/notifications: the newest 200 in scope.
func (u *UI) notifications(w http.ResponseWriter, r *http.Request, v *view) {
	var body struct {
		Notifications []notification `json:"notifications"`
	}
	if err := u.get(r.Context(), v.ss, "/api/v1/notifications?limit=200", &body); err != nil {
		u.fail(w, r, v, err)
		return
	}
	v.Title, v.Data = v.L["notifications"], body.Notifications
	u.render(w, http.StatusOK, "notifications", v)
}
