package agentauth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/vantage-net/vantage/controller/store/sqldb"
	"github.com/vantage-net/vantage/controller/store/storetest"
)

func mustAdd(t *testing.T, st *Store, id string) Issued {
	t.Helper()
	iss, err := st.Add(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return iss
}

func openStore(t *testing.T) *Store {
	t.Helper()
	db, err := sqldb.Open(context.Background(), storetest.Target(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return NewStore(db)
}

func TestStoreKeepsNoSecret(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	iss := mustAdd(t, st, "cpe-0001")
	if len(iss.Password) != 43 || iss.User != "cpe-0001" {
		t.Fatalf("issued %q with a %d-character password", iss.User, len(iss.Password))
	}
	var dump strings.Builder
	rows, err := st.db.QueryContext(ctx, `SELECT agent_id, secret_hash, created_at, revoked_at FROM agents_credentials`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a string
		var b []byte
		var c int64
		var d sql.NullInt64
		if err := rows.Scan(&a, &b, &c, &d); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&dump, "%s %x %s %d %v", a, b, b, c, d)
	}
	rows.Close()
	if strings.Contains(dump.String(), iss.Password) {
		t.Fatal("the password is stored")
	}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("issued", "cred", iss)
	if s := fmt.Sprintf("%v %+v %s", iss, iss, logged.String()); strings.Contains(s, iss.Password) {
		t.Fatalf("Issued prints its password: %s", s)
	}

	if _, err := st.Add(ctx, "cpe-0001"); !errors.Is(err, ErrExists) {
		t.Fatalf("second add: %v", err)
	}
	if err := st.Revoke(ctx, "cpe-0001"); err != nil {
		t.Fatal(err)
	}
	if err := st.Revoke(ctx, "cpe-0001"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second revoke: %v", err)
	}
	if err := st.Revoke(ctx, "nobody"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("revoke unknown: %v", err)
	}
	cs, err := st.List(ctx)
	if err != nil || len(cs) != 1 || cs[0].RevokedAt == nil {
		t.Fatalf("list %+v, %v", cs, err)
	}
	again := mustAdd(t, st, "cpe-0001")
	if ok, _ := st.check(ctx, "cpe-0001", iss.Password); ok {
		t.Fatal("revoked password still valid")
	}
	if ok, _ := st.check(ctx, "cpe-0001", again.Password); !ok {
		t.Fatal("new password not valid")
	}
}

func TestAgentIDValidation(t *testing.T) {
	st := openStore(t)
	for id, ok := range map[string]bool{
		"A":                      true,
		"cpe-0001":               true,
		"hotspot_7":              true,
		strings.Repeat("a", 128): true,
		"":                       false,
		strings.Repeat("a", 129): false,
		"a.b":                    false, // would be two subject tokens
		"*":                      false,
		">":                      false,
		"a b":                    false,
		"controller@vantage":     false, // ControllerUser can never be an agent
		"ä":                      false,
		"a\n":                    false,
	} {
		err := CheckAgentID(id)
		if (err == nil) != ok {
			t.Errorf("CheckAgentID(%q) = %v, want ok=%v", id, err, ok)
		}
		if _, err := st.Add(context.Background(), id); (err == nil) != ok {
			t.Errorf("Add(%q) = %v, want ok=%v", id, err, ok)
		}
	}
}
