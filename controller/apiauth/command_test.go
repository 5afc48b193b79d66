package apiauth

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
)

func TestCommand(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := Command(ctx, f.path, args, &out)
		return out.String(), err
	}

	out, err := run("create", "--name", "alice", "--role", "account_manager", "--manager", "am-a")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	tok := lines[len(lines)-1]
	if !strings.HasPrefix(tok, tokenPrefix) {
		t.Fatalf("create output does not end with the token:\n%s", out)
	}
	// The CLI's token works in the running controller at once.
	if rec := f.get("/api/v1/customers/C-A2", "Bearer "+tok); rec.Code != http.StatusOK {
		t.Fatalf("CLI token refused: %d", rec.Code)
	}
	if out, err := run("token", "create", "--name", "nobody", "--role", "account_manager", "--manager", "am-z"); err != nil || !strings.Contains(out, "no customer has account_manager") {
		t.Errorf("manager without customers: %v\n%s", err, out)
	}

	out, err = run("list")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "alice") || !strings.Contains(out, "am-a") || strings.Contains(out, tok) || strings.Contains(out, tokenPrefix) {
		t.Fatalf("list:\n%s", out)
	}

	if _, err := run("revoke", "alice"); err != nil {
		t.Fatal(err)
	}
	if rec := f.get("/api/v1/customers/C-A2", "Bearer "+tok); rec.Code != http.StatusUnauthorized {
		t.Fatalf("revoked CLI token: %d", rec.Code)
	}
	for _, args := range [][]string{nil, {"frobnicate"}, {"create", "--role", "admin"}, {"revoke", "--name", "alice"}, {"create", "--bogus"}} {
		if _, err := run(args...); err == nil {
			t.Errorf("%q succeeded", args)
		}
	}
}
