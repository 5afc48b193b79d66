package webui

import (
	"errors"
	"net/http"
	"strings"
)

// loginCSRFCookie holds the login form's CSRF value before any session
// exists, so a foreign page cannot log a browser in with its own token.
const loginCSRFCookie = "vantage_login"

func cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/ui/", MaxAge: maxAge,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode}
}

// loginPage is GET /ui/login.
func (u *UI) loginPage(w http.ResponseWriter, r *http.Request) {
	v := u.newView(r)
	if !u.auth {
		http.Redirect(w, r, "/ui/", http.StatusSeeOther)
		return
	}
	u.showLogin(w, r, v, http.StatusOK)
}

func (u *UI) showLogin(w http.ResponseWriter, r *http.Request, v *view, code int) {
	csrf, err := randomID()
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	http.SetCookie(w, cookie(loginCSRFCookie, csrf, 600))
	v.CSRF, v.Title = csrf, v.L["login"]
	v.Data = localPath(r.FormValue("next"))
	u.render(w, code, "login", v)
}

// login is POST /ui/login: the token is checked by the API itself (a list
// call), and its role by whether the API lets it read the controller's
// status (admin and ops only).
func (u *UI) login(w http.ResponseWriter, r *http.Request) {
	v := u.newView(r)
	c, err := r.Cookie(loginCSRFCookie)
	if err != nil || c.Value == "" || r.PostFormValue("csrf") != c.Value {
		u.refused.WithLabelValues("csrf").Inc()
		v.Error = v.L["err_csrf"]
		u.showLogin(w, r, v, http.StatusForbidden)
		return
	}
	token := strings.TrimSpace(r.PostFormValue("token"))
	probe := &session{token: token}
	if token == "" || u.get(r.Context(), probe, "/api/v1/customers?limit=1", nil) != nil {
		u.refused.WithLabelValues("login").Inc()
		v.Error = v.L["login_failed"]
		u.showLogin(w, r, v, http.StatusUnauthorized)
		return
	}
	operator := u.get(r.Context(), probe, "/api/v1/status", nil) == nil
	id, _, err := u.sessions.create(r.Context(), token, operator)
	if errors.Is(err, errFull) {
		u.refused.WithLabelValues("session_full").Inc()
		http.Error(w, "too many sessions; try again later", http.StatusServiceUnavailable)
		return
	}
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	http.SetCookie(w, cookie(loginCSRFCookie, "", -1))
	http.SetCookie(w, cookie(sessionCookie, id, 0))
	http.Redirect(w, r, localPath(r.PostFormValue("next")), http.StatusSeeOther)
}

// logout is POST /ui/logout (CSRF-checked by page).
func (u *UI) logout(w http.ResponseWriter, r *http.Request, v *view) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := u.sessions.drop(r.Context(), c.Value); err != nil {
			// Not logged out on the server: say so, keep the cookie.
			u.fail(w, r, v, err)
			return
		}
	}
	http.SetCookie(w, cookie(sessionCookie, "", -1))
	http.Redirect(w, r, "/ui/login", http.StatusSeeOther)
}
