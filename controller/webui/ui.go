package webui

import (
	"bytes"
	"database/sql"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/controller/linehealth"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configure the UI.
type Options struct {
	// API is the controller's /api/v1 handler, token check included; every
	// page reads through it (apicall.go).
	API http.Handler
	// AuthEnabled mirrors api_auth: false means the API takes no token,
	// and the UI asks for none either.
	AuthEnabled bool
	// DB is the controller's database, where sessions are kept (migration
	// 0065); required with AuthEnabled.
	DB *sql.DB
	// SessionTTL is how long an idle session lives (default 12 h).
	SessionTTL time.Duration
	// MaxSessions bounds the session store (default 10,000).
	MaxSessions int
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Influx is where the line page's RTT / loss / jitter come from; an
	// empty URL leaves the chart out.
	Influx InfluxOptions
	// Tiles is the places map's tile layer; nil draws the map on a plain
	// background, and the pages then make the browser fetch nothing from
	// any host but the controller.
	Tiles *Tiles
}

// Tiles is a raster tile layer ({z}/{x}/{y}), validated by the config
// (ui.tiles).
type Tiles struct {
	URL         string `json:"url"`
	Attribution string `json:"attribution"`
	MaxZoom     int    `json:"max_zoom"`
}

// origin is where the browser fetches tiles from ("" for the controller's
// own origin): the one host the CSP allows images from besides 'self'.
func (t *Tiles) origin() string {
	if t == nil {
		return ""
	}
	u, err := url.Parse(strings.NewReplacer("{z}", "0", "{x}", "0", "{y}", "0").Replace(t.URL))
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// UI serves /ui/.
type UI struct {
	api      http.Handler
	auth     bool
	sessions *sessions
	pages    map[string]*template.Template
	log      *slog.Logger
	now      func() time.Time
	refused  *prometheus.CounterVec
	influx   InfluxOptions
	tiles    *Tiles
	// csp is the Content-Security-Policy of every answer (cspFor).
	csp string
}

// pageNames are the templates/<name>.html files, each rendered inside
// layout.html.
var pageNames = []string{"login", "overview", "incident", "line", "customers", "maintenance", "agents",
	"notifications", "incidents", "complaints", "places", "compare", "error"}

// New parses the embedded templates and registers the UI's metric.
func New(o Options, log *slog.Logger, reg prometheus.Registerer) (*UI, error) {
	if o.API == nil {
		return nil, errors.New("webui: API handler is required")
	}
	if o.AuthEnabled && o.DB == nil {
		return nil, errors.New("webui: a database for sessions is required with api_auth")
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = 12 * time.Hour
	}
	if o.MaxSessions <= 0 {
		o.MaxSessions = 10000
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Influx.Timeout <= 0 {
		o.Influx.Timeout = 5 * time.Second
	}
	u := &UI{api: o.API, auth: o.AuthEnabled, influx: o.Influx, log: log, now: o.Now, pages: map[string]*template.Template{},
		tiles: o.Tiles, csp: cspFor(o.Tiles.origin()),
		sessions: &sessions{db: o.DB, max: o.MaxSessions, ttl: o.SessionTTL, now: o.Now},
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vantage_controller_ui_refused_total",
			Help: "UI requests refused, by reason (csrf, login, session_full, not_found).",
		}, []string{"reason"})}
	if reg != nil {
		if err := reg.Register(u.refused); err != nil {
			return nil, err
		}
	}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		u.pages[name] = t
	}
	return u, nil
}

// Register adds /ui/ to mux, and / as a redirect to it.
func (u *UI) Register(mux *http.ServeMux) {
	static, _ := fs.Sub(staticFS, "static")
	files := http.StripPrefix("/ui/static/", http.FileServerFS(static))
	mux.Handle("GET /ui/static/", u.secure(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})))
	mux.Handle("GET /{$}", http.RedirectHandler("/ui/", http.StatusSeeOther))
	mux.Handle("GET /ui/login", u.secure(http.HandlerFunc(u.loginPage)))
	mux.Handle("POST /ui/login", u.secure(http.HandlerFunc(u.login)))
	mux.Handle("GET /ui/lang", u.secure(http.HandlerFunc(u.setLang)))
	mux.Handle("POST /ui/logout", u.page(u.logout))
	mux.Handle("GET /ui/{$}", u.page(u.overview))
	mux.Handle("GET /ui/incidents", u.page(u.incidents))
	mux.Handle("GET /ui/incidents/{id}", u.page(u.incident))
	mux.Handle("POST /ui/incidents/{id}/ack", u.page(u.ack))
	mux.Handle("GET /ui/lines/{id}", u.page(u.line))
	mux.Handle("GET /ui/customers", u.page(u.customers))
	mux.Handle("GET /ui/customers/{id}", u.page(u.customer))
	mux.Handle("GET /ui/customers/{id}/report", u.page(u.report))
	mux.Handle("GET /ui/complaints", u.page(u.complaints))
	mux.Handle("GET /ui/places", u.page(u.places))
	mux.Handle("GET /ui/compare", u.page(u.compareCell))
	mux.Handle("GET /ui/maintenance", u.page(u.maintenance))
	mux.Handle("POST /ui/maintenance", u.page(u.createWindow))
	mux.Handle("GET /ui/agents", u.page(u.agents))
	mux.Handle("GET /ui/notifications", u.page(u.notifications))
	mux.Handle("/ui/", u.page(func(w http.ResponseWriter, r *http.Request, v *view) { u.notFound(w, r, v) }))
}

// cspFor allows scripts, styles and images from the controller only (no
// inline script or style), and no framing; images also from tileOrigin
// when the map has tiles from another host, and from nowhere else.
func cspFor(tileOrigin string) string {
	img := "img-src 'self' data:"
	if tileOrigin != "" {
		img += " " + tileOrigin
	}
	return "default-src 'self'; script-src 'self'; style-src 'self'; " + img + "; " +
		"connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
}

// secure sets the security headers on every UI answer.
func (u *UI) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", u.csp)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

const sessionCookie = "vantage_session"

// anonCSRFCookie holds the forms' CSRF value when api_auth is off.
const anonCSRFCookie = "vantage_csrf"

// view is what every page template gets: the language's strings, the
// user's time zone, the session's CSRF token and the page's own data.
type view struct {
	L        map[string]string
	Lang     string
	Loc      *time.Location
	CSRF     string
	Operator bool
	Auth     bool
	Path     string
	Title    string
	Data     any
	Msg      string
	Error    string
	ss       *session
}

// page wraps a handler that needs a session: without one it redirects to
// the login page (or, with api_auth off, runs with an empty token).
func (u *UI) page(h func(http.ResponseWriter, *http.Request, *view)) http.Handler {
	return u.secure(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := u.newView(r)
		if u.auth {
			c, err := r.Cookie(sessionCookie)
			var ss *session
			ok := false
			if err == nil {
				if ss, ok, err = u.sessions.get(r.Context(), c.Value); err != nil {
					u.fail(w, r, v, err)
					return
				}
			}
			if !ok {
				if r.Method != http.MethodGet {
					u.refused.WithLabelValues("session").Inc()
					http.Error(w, "session expired: log in again", http.StatusForbidden)
					return
				}
				http.Redirect(w, r, "/ui/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			v.ss, v.CSRF, v.Operator = ss, ss.csrf, ss.operator
		} else {
			// No login with api_auth off, but forms still carry a CSRF
			// value: a double-submit cookie, which another site can
			// neither read nor send (SameSite=Strict).
			v.ss, v.Operator = &session{}, true
			if c, err := r.Cookie(anonCSRFCookie); err == nil && c.Value != "" {
				v.ss.csrf = c.Value
			} else if v.ss.csrf, err = randomID(); err == nil {
				http.SetCookie(w, cookie(anonCSRFCookie, v.ss.csrf, 0))
			}
			v.CSRF = v.ss.csrf
		}
		if r.Method == http.MethodPost && !v.ss.csrfOK(r.PostFormValue("csrf")) {
			u.refused.WithLabelValues("csrf").Inc()
			v.Error = v.L["err_csrf"]
			u.render(w, http.StatusForbidden, "error", v)
			return
		}
		h(w, r, v)
	}))
}

func (u *UI) newView(r *http.Request) *view {
	lang := langOf(r)
	return &view{L: messages[lang], Lang: lang, Loc: zoneOf(r), Auth: u.auth, Path: r.URL.Path}
}

// render executes a page; the page is built in a buffer first, so a
// template error is a clean 500, not half a page.
func (u *UI) render(w http.ResponseWriter, code int, name string, v *view) {
	var buf bytes.Buffer
	if err := u.pages[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		u.log.Error("ui render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

// fail answers an API error: 404 (unknown or outside the scope, alike) is
// the 404 page, 401 (token revoked since login) the login page, 403 the
// role's refusal; other errors are logged once here and shown as 500.
func (u *UI) fail(w http.ResponseWriter, r *http.Request, v *view, err error) {
	switch statusOf(err) {
	case http.StatusNotFound:
		u.notFound(w, r, v)
	case http.StatusUnauthorized:
		http.Redirect(w, r, "/ui/login", http.StatusSeeOther)
	case http.StatusForbidden:
		v.Title, v.Error = v.L["forbidden"], v.L["err_role"]
		u.render(w, http.StatusForbidden, "error", v)
	default:
		u.log.Error("ui page", "path", r.URL.Path, "err", err)
		v.Title, v.Error = v.L["error"], v.L["err_internal"]
		u.render(w, http.StatusInternalServerError, "error", v)
	}
}

func (u *UI) notFound(w http.ResponseWriter, _ *http.Request, v *view) {
	u.refused.WithLabelValues("not_found").Inc()
	v.Title, v.Error = v.L["not_found"], v.L["err_not_found"]
	u.render(w, http.StatusNotFound, "error", v)
}

// localPath returns next when it is a path under /ui/ on this host, else
// /ui/: a redirect after login or a language switch never leaves the UI.
func localPath(next string) string {
	if strings.HasPrefix(next, "/ui/") && !strings.HasPrefix(next, "//") && !strings.Contains(next, "\\") {
		return next
	}
	return "/ui/"
}

// lineTable is the argument of the overview's "linetable" template.
type lineTable struct {
	V     *view
	Lines []linehealth.LineView
	Key   string
}
