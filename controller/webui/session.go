package webui

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/vantage-net/vantage/controller/apiauth"
)

// session is one logged-in browser.
type session struct {
	// token is set only while a login is checked (the token typed); a
	// stored session keeps tokenHash, never the token.
	token string
	// tokenHash is the API token's stored hash (apiauth.HashToken): pages
	// call the API as that token (apiauth.WithTokenHash), so a revoked
	// token ends the session at the next page.
	tokenHash []byte
	// csrf is the value every form of this session must carry.
	csrf string
	// operator is true for admin and ops tokens: they see the fleet and
	// may acknowledge incidents and plan maintenance. The API decides
	// again on each call; this only hides forms that would be refused.
	operator bool
}

// errFull is returned when the store holds its maximum of live sessions.
var errFull = errors.New("too many sessions")

// sessions is the session store, in the controller's database (migration
// 0065) so a restart logs nobody out; bounded in count and time.
type sessions struct {
	db  *sql.DB
	max int
	ttl time.Duration
	now func() time.Time
}

// randomID is 32 random bytes, URL-safe.
func randomID() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// idHash is the stored form of a session id: like an API token it has 256
// random bits, so a fast unsalted hash is enough, and a copy of the
// database opens no session.
func idHash(id string) []byte {
	h := sha256.Sum256([]byte(id))
	return h[:]
}

// csrfOf derives the session's CSRF value from its id: the database holds
// neither, and a page's CSRF value (which the page shows) says nothing about
// the id in the HttpOnly cookie.
func csrfOf(id string) string {
	h := sha256.Sum256([]byte("vantage-ui-csrf\x00" + id))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// create stores a new session for token and returns its id (the cookie's
// value). Expired sessions are deleted first; with max live ones left the
// login is refused (errFull).
func (s *sessions) create(ctx context.Context, token string, operator bool) (string, *session, error) {
	id, err := randomID()
	if err != nil {
		return "", nil, err
	}
	now := s.now()
	if _, err := s.db.ExecContext(ctx, `DELETE FROM ui_sessions WHERE expires_at <= ?`, now.UnixMilli()); err != nil {
		return "", nil, fmt.Errorf("ui sessions: expire: %w", err)
	}
	ss := &session{tokenHash: apiauth.HashToken(token), csrf: csrfOf(id), operator: operator}
	// One statement checks the bound and inserts, so parallel logins
	// cannot pass it together.
	res, err := s.db.ExecContext(ctx, `INSERT INTO ui_sessions (id_hash, token_hash, operator, created_at, expires_at)
		SELECT ?, ?, ?, ?, ? WHERE (SELECT count(*) FROM ui_sessions) < ?`,
		idHash(id), ss.tokenHash, operator, now.UnixMilli(), now.Add(s.ttl).UnixMilli(), s.max)
	if err != nil {
		// The token was revoked between the check and here (the foreign
		// key) or the database failed: either way no session.
		return "", nil, fmt.Errorf("ui sessions: create: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return "", nil, errFull
	}
	return id, ss, nil
}

// slideStep is how stale a session's expiry may get before a page view
// writes it forward: one write per session a minute, not per page.
const slideStep = time.Minute

// get returns the live session of id, sliding its expiry; ok is false for
// an unknown, expired or revoked one.
func (s *sessions) get(ctx context.Context, id string) (ss *session, ok bool, err error) {
	h := idHash(id)
	var exp int64
	ss = &session{csrf: csrfOf(id)}
	err = s.db.QueryRowContext(ctx, `SELECT token_hash, operator, expires_at FROM ui_sessions WHERE id_hash = ?`, h).
		Scan(&ss.tokenHash, &ss.operator, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("ui sessions: read: %w", err)
	}
	now := s.now()
	if now.UnixMilli() >= exp {
		return nil, false, s.drop(ctx, id)
	}
	if next := now.Add(s.ttl).UnixMilli(); next-exp >= slideStep.Milliseconds() {
		if _, err := s.db.ExecContext(ctx, `UPDATE ui_sessions SET expires_at = ? WHERE id_hash = ?`, next, h); err != nil {
			return nil, false, fmt.Errorf("ui sessions: slide: %w", err)
		}
	}
	return ss, true, nil
}

// drop deletes the session of id (logout, or found expired).
func (s *sessions) drop(ctx context.Context, id string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM ui_sessions WHERE id_hash = ?`, idHash(id)); err != nil {
		return fmt.Errorf("ui sessions: delete: %w", err)
	}
	return nil
}

// csrfOK compares a form's token with the session's in constant time.
func (ss *session) csrfOK(got string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(ss.csrf)) == 1
}
