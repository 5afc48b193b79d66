package agentauth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/vantage-net/vantage/probes/result"
)

// ErrNotFound is returned for an agent id that has no credential.
var ErrNotFound = errors.New("no credential for this agent")

// ErrExists is returned by Add for an agent that still holds a valid
// credential: revoke it first, so replacing a key is always deliberate.
var ErrExists = errors.New("agent already has a valid credential")

// Store keeps agents' password hashes in the controller's database. It is safe
// for concurrent use; every call reads the database, so a change made by the
// CLI in another process is seen at once.
type Store struct {
	db  *sql.DB
	now func() time.Time
}

// NewStore uses db, a database opened by controller/store/sqlite (so
// migration 0004 has run).
func NewStore(db *sql.DB) *Store { return &Store{db: db, now: time.Now} }

// Credential describes an agent's credential without any secret.
type Credential struct {
	AgentID   string     `json:"agent_id"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// Issued is what Add hands out once: the agent's NATS user and password.
type Issued struct {
	// User is the NATS user name: the agent id.
	User string
	// Password is the secret. Write it to a 0600 file and nowhere else; only
	// its hash is kept.
	Password string
}

// String and LogValue keep the password out of fmt and slog output.
func (i Issued) String() string { return "agent " + i.User }

// LogValue implements slog.LogValuer.
func (i Issued) LogValue() slog.Value { return slog.StringValue(i.String()) }

// Add issues a new password for agentID, stores its hash, and returns it for
// the caller to hand over. A revoked agent gets a new password.
func (s *Store) Add(ctx context.Context, agentID string) (Issued, error) {
	if err := CheckAgentID(agentID); err != nil {
		return Issued{}, err
	}
	secret, err := newSecret()
	if err != nil {
		return Issued{}, err
	}
	// The upsert only replaces a revoked row; a valid one makes it a no-op,
	// which RowsAffected reports as ErrExists.
	res, err := s.db.ExecContext(ctx, `INSERT INTO agents_credentials (agent_id, secret_hash, created_at) VALUES (?, ?, ?)
		ON CONFLICT (agent_id) DO UPDATE SET secret_hash = excluded.secret_hash, created_at = excluded.created_at, revoked_at = NULL
		WHERE agents_credentials.revoked_at IS NOT NULL`, agentID, hashSecret(secret), s.now().UnixMilli())
	if err != nil {
		return Issued{}, fmt.Errorf("agentauth: store credential of %s: %w", agentID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Issued{}, fmt.Errorf("agent %s: %w", agentID, ErrExists)
	}
	return Issued{User: agentID, Password: secret}, nil
}

// Revoke marks agentID's credential revoked: its next connect is refused,
// and Enforce disconnects its live connections.
func (s *Store) Revoke(ctx context.Context, agentID string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE agents_credentials SET revoked_at = max(?, created_at)
		WHERE agent_id = ? AND revoked_at IS NULL`, s.now().UnixMilli(), agentID)
	if err != nil {
		return fmt.Errorf("agentauth: revoke %s: %w", agentID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("agent %s: %w (or already revoked)", agentID, ErrNotFound)
	}
	return nil
}

// List returns every credential, valid and revoked, by agent id.
func (s *Store) List(ctx context.Context) ([]Credential, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT agent_id, created_at, revoked_at FROM agents_credentials ORDER BY agent_id`)
	if err != nil {
		return nil, fmt.Errorf("agentauth: list credentials: %w", err)
	}
	defer rows.Close()
	var out []Credential
	for rows.Next() {
		var c Credential
		var created int64
		var revoked sql.NullInt64
		if err := rows.Scan(&c.AgentID, &created, &revoked); err != nil {
			return nil, fmt.Errorf("agentauth: list credentials: %w", err)
		}
		c.CreatedAt = time.UnixMilli(created).UTC()
		if revoked.Valid {
			t := time.UnixMilli(revoked.Int64).UTC()
			c.RevokedAt = &t
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// check reports whether password is agentID's valid password.
func (s *Store) check(ctx context.Context, agentID, password string) (bool, error) {
	var hash []byte
	err := s.db.QueryRowContext(ctx, `SELECT secret_hash FROM agents_credentials WHERE agent_id = ? AND revoked_at IS NULL`, agentID).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("agentauth: look up %s: %w", agentID, err)
	}
	return sameSecret(hash, password), nil
}

// valid maps every agent with a valid credential to its hash (as a string,
// to compare): a change means revoked or re-issued.
func (s *Store) valid(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT agent_id, secret_hash FROM agents_credentials WHERE revoked_at IS NULL`)
	if err != nil {
		return nil, fmt.Errorf("agentauth: read valid credentials: %w", err)
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var id string
		var hash []byte
		if err := rows.Scan(&id, &hash); err != nil {
			return nil, fmt.Errorf("agentauth: read valid credentials: %w", err)
		}
		m[id] = string(hash)
	}
	return m, rows.Err()
}

// CheckAgentID refuses ids that are not safe as one NATS subject token and
// one KV key: result.ValidAgentID's letters, digits, '-' and '_'.
func CheckAgentID(id string) error {
	if !result.ValidAgentID(id) {
		return fmt.Errorf("agent id %q: want 1-128 letters, digits, '-' or '_'", id)
	}
	return nil
}
