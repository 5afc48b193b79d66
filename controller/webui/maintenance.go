package webui

import (
	"net/http"
	"strings"
	"time"

	"github.com/vantage-net/vantage/controller/notify"
)

type maintenanceData struct {
	Windows []notify.WindowView
	// Form is what the user typed, shown again with an error.
	Form map[string]string
}

// formTime is the form's datetime-local value, read in the user's zone.
const formTime = "2006-01-02T15:04"

// maintenance is GET /ui/maintenance: the windows and the form to plan one.
func (u *UI) maintenance(w http.ResponseWriter, r *http.Request, v *view) {
	u.showMaintenance(w, r, v, http.StatusOK, map[string]string{})
}

func (u *UI) showMaintenance(w http.ResponseWriter, r *http.Request, v *view, code int, form map[string]string) {
	var body struct {
		Windows []notify.WindowView `json:"windows"`
	}
	if err := u.get(r.Context(), v.ss, "/api/v1/maintenance", &body); err != nil {
		u.fail(w, r, v, err)
		return
	}
	if r.URL.Query().Get("created") == "1" {
		v.Msg = v.L["window_created"]
	}
	v.Title, v.Data = v.L["maintenance"], &maintenanceData{Windows: body.Windows, Form: form}
	u.render(w, code, "maintenance", v)
}

func splitList(s string) []string {
	out := []string{}
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// createWindow is POST /ui/maintenance (CSRF checked by page): the API
// validates the window and decides the role; its field errors are shown
// above the form, which keeps what was typed.
func (u *UI) createWindow(w http.ResponseWriter, r *http.Request, v *view) {
	form := map[string]string{}
	for _, k := range []string{"title", "start", "end", "elements", "lines"} {
		form[k] = r.PostFormValue(k)
	}
	start, err1 := time.ParseInLocation(formTime, form["start"], v.Loc)
	end, err2 := time.ParseInLocation(formTime, form["end"], v.Loc)
	if err1 != nil || err2 != nil {
		v.Error = "start, end: " + formTime + " (" + v.Loc.String() + ")"
		u.showMaintenance(w, r, v, http.StatusBadRequest, form)
		return
	}
	req := map[string]any{"title": form["title"], "start": start, "end": end,
		"elements": splitList(form["elements"]), "lines": splitList(form["lines"])}
	if err := u.call(r.Context(), v.ss, http.MethodPost, "/api/v1/maintenance", req, nil); err != nil {
		if statusOf(err) == http.StatusBadRequest {
			v.Error = err.Error()
			u.showMaintenance(w, r, v, http.StatusBadRequest, form)
			return
		}
		u.fail(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/ui/maintenance?created=1", http.StatusSeeOther)
}
