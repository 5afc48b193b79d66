package apiauth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/store/sqldb"
)

// ErrNotFound is returned by Revoke for an unknown token name.
var ErrNotFound = errors.New("no such token")

// CustomerSource finds an account manager's customers;
// *inventory.SQLStore implements it.
type CustomerSource interface {
	CustomersOfAccountManager(ctx context.Context, manager string) ([]inventory.Customer, error)
}

// Options configure an Auth.
type Options struct {
	// DB is the controller's database (controller/store/sqlite, migration
	// 0005), where tokens are stored hashed.
	DB *sql.DB
	// Inventory scopes account-manager tokens; required when any exists.
	Inventory CustomerSource
	// ScopeTTL is how long an account manager's customer list is cached
	// (default 30s): a reassignment in the inventory takes effect within
	// it, and a page of API calls costs one inventory query, not one each.
	ScopeTTL time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Auth issues, checks and revokes API tokens. It is safe for concurrent
// use. Tokens are looked up in the database on every request, so one
// revoked by the CLI (another process) is refused at once.
type Auth struct {
	opts   Options
	log    *slog.Logger
	m      *metrics
	scopes scopeCache
}

// New returns an Auth. Metrics are registered with reg (nil: not
// registered).
func New(opts Options, log *slog.Logger, reg prometheus.Registerer) (*Auth, error) {
	if opts.DB == nil {
		return nil, errors.New("apiauth: no database")
	}
	if opts.ScopeTTL <= 0 {
		opts.ScopeTTL = 30 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Auth{opts: opts, log: log, m: newMetrics(reg), scopes: scopeCache{m: map[string]scopeEntry{}}}, nil
}

// Create stores a new token and returns it. This is the only time the token
// exists outside the caller's hands: only its hash is kept. managerID is
// required for AccountManager and refused for the other roles.
func (a *Auth) Create(ctx context.Context, name string, role Role, managerID string) (string, error) {
	if err := checkName(name); err != nil {
		return "", err
	}
	if !role.valid() {
		return "", fmt.Errorf("role %q: want one of %s", role, roleList())
	}
	switch {
	case role == AccountManager && managerID == "":
		return "", fmt.Errorf("role %s needs the manager's id (--manager), as in the inventory's account_manager", role)
	case role != AccountManager && managerID != "":
		return "", fmt.Errorf("--manager applies only to role %s", AccountManager)
	}
	token, err := newToken()
	if err != nil {
		return "", err
	}
	_, err = a.opts.DB.ExecContext(ctx, `INSERT INTO api_tokens (name, hash, role, manager_id, created_at) VALUES (?, ?, ?, ?, ?)`,
		name, hashToken(token), string(role), managerID, a.opts.Now().UnixMilli())
	if err != nil {
		if sqldb.IsUnique(err) { // the name: a hash of 32 random bytes does not collide
			return "", fmt.Errorf("a token named %q exists; revoke it first or pick another name", name)
		}
		return "", fmt.Errorf("apiauth: store token %q: %w", name, err)
	}
	a.log.Info("API token created", "name", name, "role", role, "manager", managerID)
	return token, nil
}

// Revoke deletes the token called name; requests with it fail from now on.
func (a *Auth) Revoke(ctx context.Context, name string) error {
	res, err := a.opts.DB.ExecContext(ctx, `DELETE FROM api_tokens WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("apiauth: revoke %q: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("token %q: %w", name, ErrNotFound)
	}
	a.log.Info("API token revoked", "name", name)
	return nil
}

// TokenInfo describes a token without its secret.
type TokenInfo struct {
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	ManagerID string    `json:"manager_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// List returns the tokens by name. It never reads the hash column.
func (a *Auth) List(ctx context.Context) ([]TokenInfo, error) {
	rows, err := a.opts.DB.QueryContext(ctx, `SELECT name, role, manager_id, created_at FROM api_tokens ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("apiauth: list tokens: %w", err)
	}
	defer rows.Close()
	var out []TokenInfo
	for rows.Next() {
		var t TokenInfo
		var created int64
		if err := rows.Scan(&t.Name, &t.Role, &t.ManagerID, &created); err != nil {
			return nil, fmt.Errorf("apiauth: list tokens: %w", err)
		}
		t.CreatedAt = time.UnixMilli(created).UTC()
		out = append(out, t)
	}
	return out, rows.Err()
}

func roleList() string {
	s := make([]string, len(Roles))
	for i, r := range Roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}
