package apiauth

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/store/sqldb"
	"github.com/vantage-net/vantage/controller/store/storetest"
)

// TestMain gives the package one PostgreSQL cluster when
// VANTAGE_TEST_DB=postgres (storetest).
func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// fixture is an Auth on a fresh database whose inventory has customers
// C-A1, C-A2 (manager am-a) and C-B1 (manager am-b).
type fixture struct {
	db   *sql.DB
	path string
	inv  *countingInventory
	a    *Auth
	h    http.Handler
}

// countingInventory counts lookups, to show the scope is cached.
type countingInventory struct {
	*inventory.SQLStore
	calls int
}

func (c *countingInventory) CustomersOfAccountManager(ctx context.Context, m string) ([]inventory.Customer, error) {
	c.calls++
	return c.SQLStore.CustomersOfAccountManager(ctx, m)
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	path := storetest.Target(t)
	db, err := sqldb.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, c := range [][3]string{{"C-A1", "am-a"}, {"C-A2", "am-a"}, {"C-B1", "am-b"}} {
		if _, err := db.Exec(`INSERT INTO customers (id, name, tier, account_manager) VALUES (?, ?, 'gold', ?)`, c[0], c[0], c[1]); err != nil {
			t.Fatal(err)
		}
	}
	f := &fixture{db: db, path: path, inv: &countingInventory{SQLStore: inventory.NewSQLStore(db)}}
	f.a, err = New(Options{DB: db, Inventory: f.inv}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.h = f.a.Require(customerHandler())
	return f
}

// customerHandler is the smallest handler that uses the scope the way the
// API's handlers must: GET /api/v1/customers/{id}.
func customerHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/customers/{id}", func(w http.ResponseWriter, r *http.Request) {
		p, _ := FromContext(r.Context())
		id := r.PathValue("id")
		if !p.CanSeeCustomer(id) {
			NotFound(w)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"id": id, "seen_by": p.Name})
	})
	return mux
}

func (f *fixture) create(t *testing.T, name string, role Role, manager string) string {
	t.Helper()
	tok, err := f.a.Create(context.Background(), name, role, manager)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// get requests path with the Authorization header auth ("" for none).
func (f *fixture) get(path, auth string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec
}

func TestMissingInvalidRevokedTokens401(t *testing.T) {
	f := newFixture(t)
	tok := f.create(t, "ci", Admin, "")
	if rec := f.get("/api/v1/customers/C-A1", "Bearer "+tok); rec.Code != 200 {
		t.Fatalf("valid token: %d %s", rec.Code, rec.Body)
	}
	if err := f.a.Revoke(context.Background(), "ci"); err != nil {
		t.Fatal(err)
	}
	for name, auth := range map[string]string{
		"missing":       "",
		"empty bearer":  "Bearer ",
		"basic":         "Basic dXNlcjpwYXNz",
		"invalid":       "Bearer vt_notatoken",
		"revoked":       "Bearer " + tok,
		"token no type": tok,
	} {
		rec := f.get("/api/v1/customers/C-A1", auth)
		if rec.Code != 401 || strings.TrimSpace(rec.Body.String()) != `{"error":"missing or invalid token"}` || rec.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
		}
	}
	if err := f.a.Revoke(context.Background(), "ci"); err == nil {
		t.Error("revoking twice succeeded")
	}
}

// TestAccountManagerSeesOnlyOwnCustomers is fault test 8: an account
// manager's token reading another manager's customer gets 404, exactly as
// for a customer that does not exist.
func TestAccountManagerSeesOnlyOwnCustomers(t *testing.T) {
	f := newFixture(t)
	amA := "bearer " + f.create(t, "alice", AccountManager, "am-a") // scheme is case-insensitive
	admin := "Bearer " + f.create(t, "root", Admin, "")
	ops := "Bearer " + f.create(t, "noc", Ops, "")

	if rec := f.get("/api/v1/customers/C-A1", amA); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"seen_by":"alice"`) {
		t.Fatalf("own customer: %d %s", rec.Code, rec.Body)
	}
	other := f.get("/api/v1/customers/C-B1", amA)
	missing := f.get("/api/v1/customers/NO-SUCH", amA)
	if other.Code != 404 || other.Body.String() != missing.Body.String() {
		t.Fatalf("other manager's customer: %d %s (unknown customer: %d %s)", other.Code, other.Body, missing.Code, missing.Body)
	}
	for _, auth := range []string{admin, ops} {
		for _, c := range []string{"C-A1", "C-A2", "C-B1"} {
			if rec := f.get("/api/v1/customers/"+c, auth); rec.Code != 200 {
				t.Errorf("%s reading %s: %d", auth[:12], c, rec.Code)
			}
		}
	}
	// Three requests of alice above cost one inventory query.
	if f.inv.calls != 1 {
		t.Errorf("inventory queried %d times, want 1 (cached)", f.inv.calls)
	}
}

func TestScopeFollowsInventoryAfterTTL(t *testing.T) {
	f := newFixture(t)
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	f.a.opts.Now = func() time.Time { return now }
	amB := "Bearer " + f.create(t, "bob", AccountManager, "am-b")
	if rec := f.get("/api/v1/customers/C-A1", amB); rec.Code != 404 {
		t.Fatalf("before reassignment: %d", rec.Code)
	}
	if _, err := f.db.Exec(`UPDATE customers SET account_manager = 'am-b' WHERE id = 'C-A1'`); err != nil {
		t.Fatal(err)
	}
	now = now.Add(31 * time.Second)
	if rec := f.get("/api/v1/customers/C-A1", amB); rec.Code != 200 {
		t.Fatalf("after reassignment and TTL: %d", rec.Code)
	}
}

func TestTokenStoredHashed(t *testing.T) {
	f := newFixture(t)
	tok := f.create(t, "ci", Admin, "")
	if !strings.HasPrefix(tok, tokenPrefix) || len(tok) != len(tokenPrefix)+43 {
		t.Fatalf("token %q: want vt_ and 43 base64url characters (32 bytes)", tok)
	}
	rows, err := f.db.Query(`SELECT * FROM api_tokens`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			var s []byte
			switch x := v.(type) {
			case string:
				s = []byte(x)
			case []byte:
				s = x
			}
			secret := tok[len(tokenPrefix):]
			if bytes.Contains(s, []byte(secret)) || bytes.Contains(s, []byte(secret[:16])) {
				t.Errorf("column %s holds the token", cols[i])
			}
			if cols[i] == "hash" && !bytes.Equal(s, hashToken(tok)) {
				t.Errorf("hash column is not the token's SHA-256")
			}
		}
	}
}

func TestCreateChecksRoleAndManager(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, c := range []struct {
		name    string
		role    Role
		manager string
		want    string
	}{
		{"x", "root", "", `role "root"`},
		{"x", AccountManager, "", "needs the manager's id"},
		{"x", Ops, "am-a", "--manager applies only"},
		{"has space", Admin, "", "no spaces"},
		{"", Admin, "", "1 to 64"},
	} {
		if _, err := f.a.Create(ctx, c.name, c.role, c.manager); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Create(%q, %q, %q) = %v, want %q", c.name, c.role, c.manager, err, c.want)
		}
	}
	f.create(t, "dup", Ops, "")
	if _, err := f.a.Create(ctx, "dup", Ops, ""); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("duplicate name: %v", err)
	}
}

func TestRequireRole(t *testing.T) {
	f := newFixture(t)
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	f.h = f.a.Require(RequireRole(Admin, Ops)(ok))
	if rec := f.get("/", "Bearer "+f.create(t, "noc", Ops, "")); rec.Code != 200 {
		t.Errorf("ops: %d", rec.Code)
	}
	if rec := f.get("/", "Bearer "+f.create(t, "al", AccountManager, "am-a")); rec.Code != 403 {
		t.Errorf("account manager: %d", rec.Code)
	}
}

// An in-process request may carry a token's stored hash instead of the
// token (the web UI's durable sessions): it acts as that token, stops
// working when the token is revoked, and never overrides a header.
func TestTokenHashInContext(t *testing.T) {
	f := newFixture(t)
	tok := f.create(t, "alice", AccountManager, "am-a")
	get := func(ctx context.Context, path, auth string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil).WithContext(ctx)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		return rec
	}
	ctx := WithTokenHash(context.Background(), HashToken(tok))
	if rec := get(ctx, "/api/v1/customers/C-A1", ""); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"seen_by":"alice"`) {
		t.Fatalf("by hash: %d %s", rec.Code, rec.Body)
	}
	if rec := get(ctx, "/api/v1/customers/C-B1", ""); rec.Code != 404 {
		t.Fatalf("by hash, another manager's customer: %d, want 404 (same scope)", rec.Code)
	}
	if rec := get(ctx, "/api/v1/customers/C-A1", "Bearer vt_wrong"); rec.Code != 401 {
		t.Fatalf("a wrong header beside a good hash: %d, want 401", rec.Code)
	}
	if rec := get(ctx, "/api/v1/customers/C-A1", "Basic eDp5"); rec.Code != 401 {
		t.Fatalf("a malformed header beside a good hash: %d, want 401", rec.Code)
	}
	if err := f.a.Revoke(context.Background(), "alice"); err != nil {
		t.Fatal(err)
	}
	if rec := get(ctx, "/api/v1/customers/C-A1", ""); rec.Code != 401 {
		t.Fatalf("by the hash of a revoked token: %d, want 401", rec.Code)
	}
}
