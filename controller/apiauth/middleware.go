package apiauth

import (
	"net/http"
	"strings"

	"github.com/vantage-net/vantage/internal/serve"
)

// apiError is the error body of DESIGN.md.
type apiError struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

// Require lets a request through only with a valid bearer token, and puts
// its Principal in the request's context (FromContext). Missing, unknown
// and revoked tokens get the same 401, so the answer tells a caller nothing
// about which tokens exist. The token is never logged.
func (a *Auth) Require(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, ok := tokenHashFrom(r.Context())
		if token, isBearer := bearer(r); isBearer || r.Header.Get("Authorization") != "" {
			// A header, even a malformed one, is what the request is
			// judged by; an in-process hash never adds to it.
			h, ok = hashToken(token), isBearer
		}
		if !ok {
			a.m.requests.WithLabelValues("missing").Inc()
			unauthorized(w)
			return
		}
		p, ok, err := a.lookupHash(r.Context(), h)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		if !ok {
			a.m.requests.WithLabelValues("invalid").Inc()
			unauthorized(w)
			return
		}
		if p.Role == AccountManager {
			if p.customers, err = a.scope(r.Context(), p.ManagerID); err != nil {
				a.fail(w, r, err)
				return
			}
		}
		a.m.requests.WithLabelValues("ok").Inc()
		next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
	})
}

// RequireRole wraps a handler (inside Require) so only the given roles
// reach it; others get 403. Use it for actions, not for customer data: a
// customer outside an account manager's scope is NotFound.
func RequireRole(roles ...Role) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if p, ok := FromContext(r.Context()); !ok || !p.Is(roles...) {
				serve.JSON(w, http.StatusForbidden, apiError{Error: "your token's role may not do this"})
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// NotFound answers a request for a customer (or its lines, incidents,
// complaints, reports) outside the principal's scope exactly as for one that
// does not exist.
func NotFound(w http.ResponseWriter) {
	serve.JSON(w, http.StatusNotFound, apiError{Error: "not found"})
}

// bearer extracts the token of "Authorization: Bearer <token>" (the scheme
// is case-insensitive, RFC 9110).
func bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}

func unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="vantage"`)
	serve.JSON(w, http.StatusUnauthorized, apiError{Error: "missing or invalid token"})
}

// fail answers a storage error with 500, logged once here (without the
// token).
func (a *Auth) fail(w http.ResponseWriter, r *http.Request, err error) {
	a.m.requests.WithLabelValues("error").Inc()
	a.log.Error("API authentication failed", "path", r.URL.Path, "err", err)
	serve.JSON(w, http.StatusInternalServerError, apiError{Error: "internal error"})
}
