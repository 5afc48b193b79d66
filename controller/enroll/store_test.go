package enroll

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/agentauth"
	"github.com/vantage-net/vantage/controller/store/sqldb"
	"github.com/vantage-net/vantage/controller/store/storetest"
)

// TestMain gives the package one PostgreSQL cluster when
// VANTAGE_TEST_DB=postgres (storetest).
func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newStore(t *testing.T) (*Store, *fakeClock) {
	t.Helper()
	db, err := sqldb.Open(context.Background(), storetest.Target(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clk := &fakeClock{t: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	return NewStore(db, clk.now), clk
}

func TestRedeemOnce(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	c, err := s.Create(ctx, "cpe-0001", []string{"tls://nats.example.net:4222"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.Token, "ven_") || len(c.Token) < 40 {
		t.Errorf("token %q", c.Token)
	}
	e, err := s.Redeem(ctx, c.Token)
	if err != nil {
		t.Fatal(err)
	}
	if e.AgentID != "cpe-0001" || e.User != "cpe-0001" || len(e.Password) < 20 || strings.Join(e.NATSURLs, ",") != "tls://nats.example.net:4222" {
		t.Errorf("enrolment %+v", e)
	}
	// The credential is the one agentauth checks on connect.
	creds, err := agentauth.NewStore(s.db).List(ctx)
	if err != nil || len(creds) != 1 || creds[0].AgentID != "cpe-0001" {
		t.Errorf("agentauth credentials %+v, %v", creds, err)
	}
	if _, err := s.Redeem(ctx, c.Token); !errors.Is(err, ErrInvalid) {
		t.Errorf("second redemption: %v, want ErrInvalid", err)
	}
}

func TestRedeemRefusesExpiredAndUnknown(t *testing.T) {
	s, clk := newStore(t)
	ctx := context.Background()
	c, err := s.Create(ctx, "cpe-0002", []string{"nats://127.0.0.1:4222"}, 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	clk.add(10 * time.Minute)
	if _, err := s.Redeem(ctx, c.Token); !errors.Is(err, ErrInvalid) {
		t.Errorf("expired token: %v, want ErrInvalid", err)
	}
	for _, tok := range []string{"", "ven_", "ven_" + strings.Repeat("A", 43), c.Token + "x", strings.TrimPrefix(c.Token, "ven_")} {
		if _, err := s.Redeem(ctx, tok); !errors.Is(err, ErrInvalid) {
			t.Errorf("token %q: %v, want ErrInvalid", tok, err)
		}
	}
	if creds, _ := agentauth.NewStore(s.db).List(ctx); len(creds) != 0 {
		t.Errorf("a refused token issued credentials: %+v", creds)
	}
}

func TestRedeemForAgentWithCredentialSpendsToken(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	if _, err := agentauth.NewStore(s.db).Add(ctx, "cpe-0003"); err != nil {
		t.Fatal(err)
	}
	c, err := s.Create(ctx, "cpe-0003", []string{"nats://127.0.0.1:4222"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Redeem(ctx, c.Token); err == nil || errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "token is spent") {
		t.Errorf("agent with a valid credential: %v", err)
	}
	if _, err := s.Redeem(ctx, c.Token); !errors.Is(err, ErrInvalid) {
		t.Errorf("the spent token worked again: %v", err)
	}
}

func TestCreateValidates(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	for _, tc := range []struct {
		id   string
		urls []string
		ttl  time.Duration
		want string
	}{
		{"cpe 1", []string{"nats://h:4222"}, time.Hour, "agent"},
		{"cpe-1", nil, time.Hour, "nats-url"},
		{"cpe-1", []string{"http://h:4222"}, time.Hour, "nats-url[0]"},
		{"cpe-1", []string{"nats://u:p@h:4222"}, time.Hour, "without credentials"},
		{"cpe-1", []string{"nats://h:4222"}, 30 * time.Second, "ttl 30s is outside"},
		{"cpe-1", []string{"nats://h:4222"}, 8 * 24 * time.Hour, "is outside"},
	} {
		if _, err := s.Create(ctx, tc.id, tc.urls, tc.ttl); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Create(%q, %v, %s): %v, want %q", tc.id, tc.urls, tc.ttl, err, tc.want)
		}
	}
}
