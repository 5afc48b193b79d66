package webui

import (
	"net/http"
	"net/url"

	"github.com/vantage-net/vantage/controller/complaints"
)

type complaintsData struct {
	Complaints []complaints.Complaint
	Verdict    string
	Verdicts   []complaints.Verdict
}

// complaints is GET /ui/complaints[?verdict=…]: the newest 200 in scope,
// each with its verdict and the evidence behind it.
func (u *UI) complaints(w http.ResponseWriter, r *http.Request, v *view) {
	d := &complaintsData{Verdict: r.URL.Query().Get("verdict"), Verdicts: complaints.Verdicts}
	q := url.Values{"limit": {"200"}}
	if d.Verdict != "" {
		q.Set("verdict", d.Verdict)
	}
	var body struct {
		Complaints []complaints.Complaint `json:"complaints"`
	}
	if err := u.get(r.Context(), v.ss, "/api/v1/complaints?"+q.Encode(), &body); err != nil {
		if statusOf(err) != http.StatusBadRequest {
			u.fail(w, r, v, err)
			return
		}
		v.Error = err.Error()
	}
	d.Complaints = body.Complaints
	v.Title, v.Data = v.L["complaints"], d
	u.render(w, http.StatusOK, "complaints", v)
}
