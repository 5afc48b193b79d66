package api

import (
	"net/http"

	"github.com/vantage-net/vantage/controller/apiauth"
	"github.com/vantage-net/vantage/controller/linehealth"
)

// Scope tells which customers a request may see (an account manager sees
// only their own). The read model applies it inside its queries, so a page
// is cut to its limit after the scope, never before; a line or incident
// outside it is answered exactly like an unknown id, 404 with the same
// body, so its existence does not leak. Nil sees everything (api_auth off).
type Scope func(r *http.Request) linehealth.Scope

func (h *handlers) scopeOf(r *http.Request) linehealth.Scope {
	if h.scope == nil {
		return linehealth.AllCustomers
	}
	return h.scope(r)
}

// PrincipalScope is the Scope of an authenticated request (apiauth.Require
// put its principal in the context): every customer for admin and ops, the
// account manager's own otherwise. A request without a principal sees
// nothing.
func PrincipalScope(r *http.Request) linehealth.Scope {
	p, ok := apiauth.FromContext(r.Context())
	if !ok {
		return linehealth.Scope{}
	}
	ids, all := p.Customers()
	if all {
		return linehealth.AllCustomers
	}
	return linehealth.OnlyCustomers(ids)
}
