package agentauth

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/vantage-net/vantage/controller/broker"
	"github.com/vantage-net/vantage/controller/store/sqldb"
	"github.com/vantage-net/vantage/controller/store/storetest"
)

// TestMain gives the package one PostgreSQL cluster when
// VANTAGE_TEST_DB=postgres (storetest).
func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// logBuf collects every log line of a test (ours and nats-server's) so the
// test can assert no secret ever reached a log.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// fixture is an embedded server guarded by a Guard over a fresh database.
type fixture struct {
	t       *testing.T
	store   *Store
	guard   *Guard
	broker  *broker.Broker
	logs    *logBuf
	dir     string
	target  string   // the database's path or URL, for the commands
	secrets []string // everything that must never appear in logs
}

func newFixture(t *testing.T, opts Options) *fixture {
	t.Helper()
	dir := t.TempDir()
	target := storetest.Target(t)
	db, err := sqldb.Open(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fixture{t: t, store: NewStore(db), logs: &logBuf{}, dir: dir, target: target}
	log := slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if f.guard, err = NewGuard(f.store, opts, log); err != nil {
		t.Fatal(err)
	}
	f.secrets = append(f.secrets, f.guard.ControllerPassword())
	f.broker, err = broker.Start(broker.Options{
		Listen:    "127.0.0.1:-1",
		StoreDir:  filepath.Join(dir, "js"),
		Configure: f.guard.Configure,
		Logger:    log,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.broker.Close)
	// Registered after Close, so it runs first: checked while the server
	// still exists and after every test step has logged.
	t.Cleanup(f.assertNoSecretLogged)
	return f
}

// url is the network address agents dial (not the in-process one).
func (f *fixture) url() string { return f.broker.Server.ClientURL() }

// add issues agent id's credentials and returns the option that connects
// as the agent does: with them and its own inbox prefix.
func (f *fixture) add(id string) nats.Option {
	f.t.Helper()
	iss := f.issue(id)
	return asAgent(iss)
}

// asAgent is how agent/nats.go connects: its credentials and its own inbox
// prefix (the only place it may subscribe).
func asAgent(iss Issued) nats.Option {
	return func(o *nats.Options) error {
		if err := nats.UserInfo(iss.User, iss.Password)(o); err != nil {
			return err
		}
		return nats.CustomInboxPrefix(InboxPrefix(iss.User))(o)
	}
}

func (f *fixture) issue(id string) Issued {
	f.t.Helper()
	iss, err := f.store.Add(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	f.secrets = append(f.secrets, iss.Password)
	return iss
}

func (f *fixture) assertNoSecretLogged() {
	logs := f.logs.String()
	if logs == "" {
		f.t.Error("no log output captured: the secret check would prove nothing")
	}
	for _, s := range f.secrets {
		if s != "" && strings.Contains(logs, s) {
			f.t.Errorf("a secret appeared in the logs")
		}
	}
}

// asyncErrs collects a connection's asynchronous errors (permission
// violations arrive this way).
type asyncErrs struct {
	mu   sync.Mutex
	errs []string
}

func (a *asyncErrs) handler(_ *nats.Conn, _ *nats.Subscription, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.errs = append(a.errs, err.Error())
}

func (a *asyncErrs) has(s string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, e := range a.errs {
		if strings.Contains(e, s) {
			return true
		}
	}
	return false
}

// connect dials the server as an agent would.
func (f *fixture) connect(opts ...nats.Option) (*nats.Conn, *asyncErrs, error) {
	errs := &asyncErrs{}
	opts = append([]nats.Option{nats.ErrorHandler(errs.handler), nats.Timeout(2 * time.Second), nats.MaxReconnects(0)}, opts...)
	nc, err := nats.Connect(f.url(), opts...)
	if err == nil {
		f.t.Cleanup(nc.Close)
	}
	return nc, errs, err
}

// eventually retries cond until it holds or the deadline passes.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
