package enroll

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/vantage-net/vantage/controller/agentauth"
)

// TTL bounds: a token lives long enough for a site visit, not for a
// forgotten note in a ticket.
const (
	MinTTL     = time.Minute
	MaxTTL     = 7 * 24 * time.Hour
	DefaultTTL = time.Hour
)

// tokenPrefix marks enrolment tokens in logs and tickets ("vantage enrol").
const tokenPrefix = "ven_"

// ErrInvalid is every refused redemption: unknown, expired or used tokens
// look the same to the caller, so the endpoint tells a guesser nothing.
var ErrInvalid = errors.New("enrolment token unknown, expired or already used")

// Store keeps tokens in the controller's database and redeems them.
type Store struct {
	db    *sql.DB
	creds *agentauth.Store
	now   func() time.Time
}

// NewStore uses db (migrated: enroll_tokens, agents_credentials); now is
// the clock (time.Now in production).
func NewStore(db *sql.DB, now func() time.Time) *Store {
	return &Store{db: db, creds: agentauth.NewStore(db), now: now}
}

// Created is a new token, shown once.
type Created struct {
	Token     string
	AgentID   string
	ExpiresAt time.Time
}

// Create makes a token for agentID that hands out the given NATS URLs.
func (s *Store) Create(ctx context.Context, agentID string, natsURLs []string, ttl time.Duration) (Created, error) {
	if err := agentauth.CheckAgentID(agentID); err != nil {
		return Created{}, err
	}
	if ttl < MinTTL || ttl > MaxTTL {
		return Created{}, fmt.Errorf("ttl %s is outside %s..%s", ttl, MinTTL, MaxTTL)
	}
	if len(natsURLs) == 0 {
		return Created{}, errors.New("nats-url: at least one NATS URL the agent dials is required")
	}
	for i, u := range natsURLs {
		pu, err := url.Parse(u)
		if err != nil || pu.Host == "" || (pu.Scheme != "nats" && pu.Scheme != "tls") || pu.User != nil {
			return Created{}, fmt.Errorf("nats-url[%d]: %q is not a nats:// or tls:// URL without credentials", i, u)
		}
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return Created{}, err
	}
	token := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	now := s.now()
	exp := now.Add(ttl)
	_, err := s.db.ExecContext(ctx, `INSERT INTO enroll_tokens (token_hash, agent_id, nats_urls, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		hash(token), agentID, strings.Join(natsURLs, ","), now.UnixMilli(), exp.UnixMilli())
	if err != nil {
		return Created{}, fmt.Errorf("enroll: store token: %w", err)
	}
	return Created{Token: token, AgentID: agentID, ExpiresAt: exp}, nil
}

// Enrolment is what a redeemed token gives the agent.
type Enrolment struct {
	AgentID  string   `json:"agent_id"`
	NATSURLs []string `json:"nats_urls"`
	// User and Password are the agent's NATS credential; the password
	// exists only in this answer and the agent's config.
	User     string `json:"user"`
	Password string `json:"password"`
}

// Redeem uses token up and issues the agent's credential. The token is
// spent even when issuing fails (an agent id that already has a valid
// credential: revoke it first), so a token never works twice.
func (s *Store) Redeem(ctx context.Context, token string) (Enrolment, error) {
	if !strings.HasPrefix(token, tokenPrefix) || len(token) > 100 {
		return Enrolment{}, ErrInvalid
	}
	now := s.now().UnixMilli()
	var e Enrolment
	var urls string
	err := s.db.QueryRowContext(ctx, `UPDATE enroll_tokens SET used_at = ?
		WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?
		RETURNING agent_id, nats_urls`, now, hash(token), now).Scan(&e.AgentID, &urls)
	if errors.Is(err, sql.ErrNoRows) {
		return Enrolment{}, ErrInvalid
	}
	if err != nil {
		return Enrolment{}, fmt.Errorf("enroll: redeem: %w", err)
	}
	iss, err := s.creds.Add(ctx, e.AgentID)
	if err != nil {
		return Enrolment{}, fmt.Errorf("enroll %s: %w (the token is spent; revoke the agent and make a new token)", e.AgentID, err)
	}
	e.NATSURLs = strings.Split(urls, ",")
	e.User, e.Password = iss.User, iss.Password
	return e, nil
}

func hash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
