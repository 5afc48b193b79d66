package apiauth

import (
	"context"
	"sort"
)

// Principal is who a request acts as: the token's name and role, and for an
// account manager the customers in scope.
type Principal struct {
	// Name is the token's name, for audit logs (never the token).
	Name string
	Role Role
	// ManagerID is the account manager's id ('' for other roles).
	ManagerID string
	// customers is the account manager's scope, loaded by Require.
	customers map[string]bool
}

type ctxKey struct{}

// WithPrincipal returns ctx carrying p; Require does this for each request,
// tests and internal callers may too.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the request's principal. ok is false outside
// Require, and handlers must then refuse: the zero Principal sees nothing.
func FromContext(ctx context.Context) (p Principal, ok bool) {
	p, ok = ctx.Value(ctxKey{}).(Principal)
	return p, ok
}

// CanSeeCustomer reports whether the principal may read customerID's data.
// A handler answers NotFound when it may not.
func (p Principal) CanSeeCustomer(customerID string) bool {
	switch p.Role {
	case Admin, Ops:
		return true
	case AccountManager:
		return p.customers[customerID]
	}
	return false
}

// Customers returns the customer ids in scope, sorted, for filtering lists;
// all is true when the principal sees every customer.
func (p Principal) Customers() (ids []string, all bool) {
	if p.Role == Admin || p.Role == Ops {
		return nil, true
	}
	for id := range p.customers {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids, false
}

// Is reports whether the principal has one of roles.
func (p Principal) Is(roles ...Role) bool {
	for _, r := range roles {
		if p.Role == r {
			return true
		}
	}
	return false
}
