package apiauth

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// scopeCache holds each account manager's customer set for ScopeTTL.
type scopeCache struct {
	mu sync.Mutex
	m  map[string]scopeEntry
}

type scopeEntry struct {
	customers map[string]bool
	loaded    time.Time
}

// scope returns manager's customers, from the cache when fresh. Sets are
// shared read-only between requests.
func (a *Auth) scope(ctx context.Context, manager string) (map[string]bool, error) {
	now := a.opts.Now()
	a.scopes.mu.Lock()
	e, ok := a.scopes.m[manager]
	a.scopes.mu.Unlock()
	if ok && now.Sub(e.loaded) < a.opts.ScopeTTL {
		return e.customers, nil
	}
	if a.opts.Inventory == nil {
		return nil, fmt.Errorf("apiauth: no inventory to scope account manager tokens")
	}
	cs, err := a.opts.Inventory.CustomersOfAccountManager(ctx, manager)
	if err != nil {
		return nil, fmt.Errorf("apiauth: customers of account manager: %w", err)
	}
	set := make(map[string]bool, len(cs))
	for _, c := range cs {
		set[c.ID] = true
	}
	a.scopes.mu.Lock()
	a.scopes.m[manager] = scopeEntry{customers: set, loaded: now}
	a.scopes.mu.Unlock()
	return set, nil
}
