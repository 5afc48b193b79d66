package webui

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/apiauth"
	"github.com/vantage-net/vantage/controller/store/sqldb"
	"github.com/vantage-net/vantage/controller/store/storetest"
)

// TestMain gives the package one PostgreSQL cluster when
// VANTAGE_TEST_DB=postgres (storetest).
func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// sessionDB is a fresh controller database with tokens t1..t4 (ops).
func sessionDB(t *testing.T) (*sql.DB, *apiauth.Auth, []string) {
	t.Helper()
	ctx := context.Background()
	db, err := sqldb.Open(ctx, storetest.Target(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a, err := apiauth.New(apiauth.Options{DB: db}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var toks []string
	for _, n := range []string{"t1", "t2", "t3", "t4"} {
		tok, err := a.Create(ctx, n, apiauth.Ops, "")
		if err != nil {
			t.Fatal(err)
		}
		toks = append(toks, tok)
	}
	return db, a, toks
}

// The session store is bounded: when full of live sessions a new login is
// refused; expired ones make room, and an expired session is gone.
func TestSessionsBoundedAndExpire(t *testing.T) {
	ctx := context.Background()
	db, _, toks := sessionDB(t)
	now := time.Unix(1000, 0)
	s := &sessions{db: db, max: 2, ttl: time.Minute, now: func() time.Time { return now }}
	id1, _, err := s.create(ctx, toks[0], false)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.create(ctx, toks[1], true); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.create(ctx, toks[2], true); !errors.Is(err, errFull) {
		t.Fatalf("third session: %v, want errFull", err)
	}
	ss, ok, err := s.get(ctx, id1)
	if err != nil || !ok || !bytes.Equal(ss.tokenHash, apiauth.HashToken(toks[0])) || ss.operator || ss.csrfOK("") || !ss.csrfOK(ss.csrf) || ss.csrfOK(ss.csrf+"x") {
		t.Fatalf("session 1: %+v %v %v", ss, ok, err)
	}
	now = now.Add(2 * time.Minute)
	if _, ok, err := s.get(ctx, id1); ok || err != nil {
		t.Fatalf("expired session still served (%v)", err)
	}
	if _, _, err := s.create(ctx, toks[3], false); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
}

// A session is in the database, not in the store's memory: a second store
// on the same database (a restarted controller) serves it with the same
// CSRF value; the database holds neither the session id nor the token;
// logout deletes the row and revoking the token deletes its sessions.
func TestSessionsDurableHashedRevoked(t *testing.T) {
	ctx := context.Background()
	db, auth, toks := sessionDB(t)
	now := time.Unix(1000, 0)
	clock := func() time.Time { return now }
	s1 := &sessions{db: db, max: 10, ttl: time.Hour, now: clock}
	id, first, err := s1.create(ctx, toks[0], true)
	if err != nil {
		t.Fatal(err)
	}
	s2 := &sessions{db: db, max: 10, ttl: time.Hour, now: clock}
	ss, ok, err := s2.get(ctx, id)
	if err != nil || !ok || ss.csrf != first.csrf || !ss.operator {
		t.Fatalf("after restart: %+v %v %v", ss, ok, err)
	}
	// Sliding: 50 minutes on, a view pushes the expiry an hour ahead.
	now = now.Add(50 * time.Minute)
	if _, ok, _ := s2.get(ctx, id); !ok {
		t.Fatal("session gone before its expiry")
	}
	now = now.Add(50 * time.Minute)
	if _, ok, _ := s2.get(ctx, id); !ok {
		t.Fatal("a used session expired: the expiry did not slide")
	}
	other, _, err := s1.create(ctx, toks[1], true)
	if err != nil {
		t.Fatal(err)
	}
	var dump bytes.Buffer
	rows, err := db.QueryContext(ctx, `SELECT id_hash, token_hash, operator, created_at, expires_at FROM ui_sessions`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a, b []byte
		var c, d, e int64
		if err := rows.Scan(&a, &b, &c, &d, &e); err != nil {
			t.Fatal(err)
		}
		dump.Write(a)
		dump.Write(b)
	}
	rows.Close()
	for _, secret := range []string{id, other, toks[0], toks[1], first.csrf} {
		if bytes.Contains(dump.Bytes(), []byte(secret)) {
			t.Errorf("the database holds a secret in clear: %.8s…", secret)
		}
	}
	if err := s2.drop(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s1.get(ctx, id); ok {
		t.Fatal("session served after logout")
	}
	if _, ok, _ := s1.get(ctx, other); !ok {
		t.Fatal("the other session went too")
	}
	if err := auth.Revoke(ctx, "t2"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM ui_sessions`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("after revoking its token %d sessions left (%v), want 0", n, err)
	}
	if _, ok, _ := s1.get(ctx, other); ok {
		t.Fatal("session of a revoked token served")
	}
}
