package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/linestate"
	"github.com/vantage-net/vantage/controller/notify/channel/email"
	"github.com/vantage-net/vantage/controller/notify/channel/webhook"
	"github.com/vantage-net/vantage/controller/store/storetest"
	"github.com/vantage-net/vantage/internal/smtpsink"
)

// rig is a notifier on a real database, with a real SMTP server and a real
// HTTP webhook receiver, fed by the real incident grouper, on a clock the
// test moves by hand.
type rig struct {
	t   testing.TB
	ctx context.Context
	db  *sql.DB
	n   *Notifier
	// target and opts open a second notifier on the same database: a
	// second controller (twosenders_test.go).
	target string
	opts   Options
	sink   *smtpsink.Sink
	hook   *receiver
	grp    *incident.Grouper

	mu  sync.Mutex
	now time.Time
}

// receiver is the webhook endpoint: it keeps every JSON body posted.
type receiver struct {
	mu     sync.Mutex
	bodies []map[string]any
}

func (h *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		http.Error(w, "not JSON", http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	h.bodies = append(h.bodies, v)
	h.mu.Unlock()
	fmt.Fprint(w, `{"errcode": 0, "errmsg": "ok"}`)
}

func (h *receiver) got() []map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]map[string]any(nil), h.bodies...)
}

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var t0 = time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC) // 10:00 in Shanghai

func newRig(t testing.TB, rules map[string]Rule, tweak func(*Options)) *rig {
	t.Helper()
	ctx := t.Context()
	db, target := storetest.OpenTarget(t)
	sink, err := smtpsink.Start("127.0.0.1:0", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sink.Close() })
	recv := &receiver{}
	hs := httptest.NewServer(recv)
	t.Cleanup(hs.Close)
	r := &rig{t: t, ctx: ctx, db: db, target: target, sink: sink, hook: recv, now: t0}
	o := Options{DB: db, Rules: rules, Phone: "+86 571 10086", MessageIDDomain: "test.vantage",
		Email:    &email.Options{Host: "127.0.0.1", Port: sink.Port(), TLS: email.None, From: "Vantage NOC <noc@test.vantage>"},
		Webhooks: []WebhookOptions{{Hook: webhook.Hook{Name: "ops-chat", Kind: "wecom", URL: hs.URL}, Language: "en"}},
		Now:      r.clock,
		Sender:   SenderOptions{BackoffInitial: time.Second, PerRecipient: Rate{Count: 1000, Per: time.Hour}},
	}
	if tweak != nil {
		tweak(&o)
	}
	r.opts = o
	if r.n, err = New(o, nil, nil); err != nil {
		t.Fatal(err)
	}
	r.grp = incident.New(incident.Options{Now: r.clock})
	return r
}

func (r *rig) clock() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.now
}

// at sets the clock.
func (r *rig) at(t time.Time) {
	r.mu.Lock()
	r.now = t
	r.mu.Unlock()
}

func (r *rig) exec(q string, args ...any) {
	r.t.Helper()
	if _, err := r.db.ExecContext(r.ctx, q, args...); err != nil {
		r.t.Fatalf("%s: %v", q, err)
	}
}

// customer adds a customer with a primary contact (email, language).
func (r *rig) customer(id, tier, contactEmail, lang string) {
	r.t.Helper()
	r.exec(`INSERT INTO customers (id, name, tier) VALUES (?, ?, ?)`, id, "Customer "+id, tier)
	r.exec(`INSERT INTO contacts (id, customer_id, name, role, email, language) VALUES (?, ?, ?, 'primary', ?, ?)`,
		"P-"+id, id, "Contact "+id, contactEmail, lang)
}

// apply stores incident changes the way line health does: in one
// transaction with the hook.
func (r *rig) apply(changed []incident.Incident) {
	r.t.Helper()
	tx, err := r.db.BeginTx(r.ctx, nil)
	if err != nil {
		r.t.Fatal(err)
	}
	defer tx.Rollback()
	if err := r.n.IncidentsChanged(r.ctx, tx, changed, r.clock()); err != nil {
		r.t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		r.t.Fatal(err)
	}
}

// line changes a line's state at event time t (the clock moves there too).
func (r *rig) line(l incident.Line, to linestate.State, t time.Time) {
	r.t.Helper()
	r.at(t)
	r.apply(r.grp.Apply(l, linestate.Transition{Line: l.ID, To: to, Time: t}))
}

// send runs the sender until nothing is due now.
func (r *rig) send() {
	r.t.Helper()
	for range 100 {
		k, err := r.n.Step(r.ctx)
		if err != nil {
			r.t.Fatal(err)
		}
		if k == 0 {
			return
		}
	}
	r.t.Fatal("sender never ran out of due messages")
}

// statuses counts outbox rows by kind and status.
func (r *rig) statuses() map[string]int {
	r.t.Helper()
	rows, err := r.db.QueryContext(r.ctx, `SELECT kind, status, count(*) FROM notify_outbox GROUP BY kind, status`)
	if err != nil {
		r.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k, s string
		var n int
		if err := rows.Scan(&k, &s, &n); err != nil {
			r.t.Fatal(err)
		}
		out[k+"/"+s] = n
	}
	return out
}
