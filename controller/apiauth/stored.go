package apiauth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// HashToken is the form a token is stored in (api_tokens.hash), for a
// table that refers to a token without keeping it: the web UI's durable
// sessions (migration 0065) hold this hash, so revoking the token deletes
// them (ON DELETE CASCADE).
func HashToken(token string) []byte { return hashToken(token) }

type hashKey struct{}

// WithTokenHash returns ctx for an in-process request made as the token
// whose HashToken is h, when the caller keeps only the hash (a web UI
// session after a restart). Require takes it only when the request has no
// Authorization header, and looks it up like a bearer token, so a revoked
// token fails the same way. A context cannot come over the network: only
// code in this process can make such a request.
func WithTokenHash(ctx context.Context, h []byte) context.Context {
	return context.WithValue(ctx, hashKey{}, h)
}

func tokenHashFrom(ctx context.Context) ([]byte, bool) {
	h, ok := ctx.Value(hashKey{}).([]byte)
	return h, ok && len(h) == 32
}

// lookupHash finds the principal of a token by its stored hash; ok is false
// for an unknown (or revoked) token.
func (a *Auth) lookupHash(ctx context.Context, h []byte) (p Principal, ok bool, err error) {
	err = a.opts.DB.QueryRowContext(ctx, `SELECT name, role, manager_id FROM api_tokens WHERE hash = ?`, h).
		Scan(&p.Name, &p.Role, &p.ManagerID)
	if errors.Is(err, sql.ErrNoRows) {
		return Principal{}, false, nil
	}
	if err != nil {
		return Principal{}, false, fmt.Errorf("apiauth: look up token: %w", err)
	}
	return p, true, nil
}
