package agentauth

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// controllerJS connects as the network controller user and makes the
// results stream and the config bucket with keys for agents A and B.
func (f *fixture) controllerJS() (jetstream.JetStream, jetstream.KeyValue) {
	f.t.Helper()
	nc, _, err := f.connect(nats.UserInfo(ControllerUser, f.guard.ControllerPassword()))
	if err != nil {
		f.t.Fatalf("controller user: %v", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		f.t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "VANTAGE_RESULTS", Subjects: []string{"vantage.results.>"}}); err != nil {
		f.t.Fatal(err)
	}
	kv, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: ConfigBucket})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, k := range []string{"A", "B"} {
		if _, err := kv.PutString(ctx, k, "config of "+k); err != nil {
			f.t.Fatal(err)
		}
	}
	return js, kv
}

func TestAgentPublishesOnlyAsItself(t *testing.T) {
	f := newFixture(t, Options{})
	cjs, _ := f.controllerJS()
	ctx := context.Background()

	// The controller sees heartbeats of every agent.
	hb, err := f.broker.Conn.SubscribeSync("vantage.heartbeat.>")
	if err != nil {
		t.Fatal(err)
	}

	nc, errs, err := f.connect(f.add("A"))
	if err != nil {
		t.Fatal(err)
	}
	js, _ := jetstream.New(nc)
	ack, err := js.Publish(ctx, "vantage.results.A", []byte("r1"), jetstream.WithMsgID("A-1"))
	if err != nil || ack.Stream != "VANTAGE_RESULTS" {
		t.Fatalf("own results: ack %+v, %v", ack, err)
	}
	for _, subj := range []string{"vantage.heartbeat.A", "vantage.config.status.A"} {
		if err := nc.Publish(subj, []byte("ok")); err != nil {
			t.Fatal(err)
		}
	}

	// As B: refused by the server, so no ack and no stored message.
	pctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	if _, err := js.Publish(pctx, "vantage.results.B", []byte("forged")); err == nil {
		t.Fatal("publish to vantage.results.B was acknowledged")
	}
	if err := nc.Publish("vantage.heartbeat.B", []byte("forged")); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 2*time.Second, "permissions violation reported", func() bool {
		return errs.has(`Permissions Violation for Publish to "vantage.results.B"`) &&
			errs.has(`Permissions Violation for Publish to "vantage.heartbeat.B"`)
	})
	st, err := cjs.Stream(ctx, "VANTAGE_RESULTS")
	if err != nil {
		t.Fatal(err)
	}
	info, _ := st.Info(ctx, jetstream.WithSubjectFilter("vantage.results.>"))
	if info.State.Msgs != 1 || info.State.Subjects["vantage.results.B"] != 0 {
		t.Fatalf("stream holds %d messages, subjects %v; want only A's one", info.State.Msgs, info.State.Subjects)
	}
	m, err := hb.NextMsg(time.Second)
	if err != nil || m.Subject != "vantage.heartbeat.A" {
		t.Fatalf("first heartbeat %v, %v", m, err)
	}
	if m, err := hb.NextMsg(200 * time.Millisecond); err == nil {
		t.Fatalf("forged heartbeat delivered on %s", m.Subject)
	}

	// No other JetStream API: the agent cannot read or purge the stream.
	if _, err := js.Stream(pctx, "VANTAGE_RESULTS"); err == nil {
		t.Error("agent read the results stream's info")
	}
}

func TestAgentReadsOnlyItsOwnConfigKey(t *testing.T) {
	f := newFixture(t, Options{})
	_, ckv := f.controllerJS()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	nc, errs, err := f.connect(f.add("A"))
	if err != nil {
		t.Fatal(err)
	}
	js, _ := jetstream.New(nc, jetstream.WithDefaultTimeout(time.Second))
	kv, err := js.KeyValue(ctx, ConfigBucket)
	if err != nil {
		t.Fatalf("open bucket: %v", err)
	}
	if e, err := kv.Get(ctx, "A"); err != nil || string(e.Value()) != "config of A" {
		t.Fatalf("get own key: %v", err)
	}
	// Refused requests get no reply: bound each by a short context.
	short := func() context.Context {
		c, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		t.Cleanup(cancel)
		return c
	}
	if _, err := kv.Get(short(), "B"); err == nil {
		t.Fatal("agent A read key B")
	}
	if _, err := kv.PutString(short(), "A", "forged"); err == nil {
		t.Fatal("agent A wrote its own config")
	}

	w, err := kv.Watch(ctx, "A")
	if err != nil {
		t.Fatalf("watch own key: %v; async errors %v", err, errs.errs)
	}
	next := func() jetstream.KeyValueEntry {
		t.Helper()
		for {
			select {
			case e := <-w.Updates():
				if e != nil { // nil marks "initial values done"
					return e
				}
			case <-time.After(3 * time.Second):
				t.Fatal("watch delivered nothing")
			}
		}
	}
	if e := next(); string(e.Value()) != "config of A" {
		t.Fatalf("watch initial %q", e.Value())
	}
	if _, err := ckv.PutString(ctx, "A", "config of A, rev 2"); err != nil {
		t.Fatal(err)
	}
	if e := next(); string(e.Value()) != "config of A, rev 2" {
		t.Fatalf("watch update %q", e.Value())
	}
	_ = w.Stop()

	wctx := short()
	if w, err := kv.Watch(wctx, "B"); err == nil {
		select {
		case e := <-w.Updates():
			if e != nil {
				t.Fatalf("agent A watched key B: %q", e.Value())
			}
		case <-wctx.Done():
		}
	}
	if _, err := kv.Keys(short()); err == nil {
		t.Error("agent A listed the bucket's keys")
	}
	for _, subj := range []string{
		"$JS.API.DIRECT.GET.KV_VANTAGE_AGENT_CONFIG.$KV.VANTAGE_AGENT_CONFIG.B",
		"$KV.VANTAGE_AGENT_CONFIG.A",
		"$JS.API.CONSUMER.CREATE.KV_VANTAGE_AGENT_CONFIG.",
	} {
		if !errs.has(`Permissions Violation for Publish to "` + subj) {
			t.Errorf("no permissions violation for %s; got %v", subj, errs.errs)
		}
	}
}

func TestRefusedConnects(t *testing.T) {
	f := newFixture(t, Options{})
	issA := f.issue("A")
	good, passA := nats.UserInfo("A", issA.Password), issA.Password
	f.add("B")
	for name, opt := range map[string]nats.Option{
		"unknown agent":              nats.UserInfo("C", passA),
		"wrong password":             nats.UserInfo("A", "guess"),
		"A's password as B":          nats.UserInfo("B", passA),
		"no credentials":             func(*nats.Options) error { return nil },
		"empty password":             nats.UserInfo("A", ""),
		"token":                      nats.Token(passA),
		"controller, wrong password": nats.UserInfo(ControllerUser, "guess"),
	} {
		if _, _, err := f.connect(opt); err == nil || !strings.Contains(err.Error(), "Authorization Violation") {
			t.Errorf("%s: connect gave %v, want an authorization violation", name, err)
		}
	}
	if _, _, err := f.connect(good); err != nil {
		t.Fatalf("valid credentials: %v", err)
	}
}

func TestRevokeCutsAConnectedAgent(t *testing.T) {
	f := newFixture(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go f.guard.Enforce(ctx, f.broker.Server, 50*time.Millisecond)

	credsA := f.add("A")
	credsB := f.add("B")
	closed := make(chan struct{})
	ncA, _, err := f.connect(credsA, nats.ClosedHandler(func(*nats.Conn) { close(closed) }))
	if err != nil {
		t.Fatal(err)
	}
	ncB, _, err := f.connect(credsB)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // let Enforce take its first snapshot with A valid

	if err := f.store.Revoke(ctx, "A"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-closed:
	case <-time.After(3 * time.Second):
		t.Fatal("revoked agent A still connected")
	}
	if ncA.IsConnected() {
		t.Fatal("A reports connected")
	}
	if _, _, err := f.connect(credsA); err == nil {
		t.Fatal("revoked agent reconnected")
	}
	if !ncB.IsConnected() {
		t.Fatal("B was cut too")
	}
	if !strings.Contains(f.logs.String(), "disconnected agent with revoked credential") {
		t.Error("disconnection not logged")
	}

	// Re-adding issues a new key; the old creds stay refused.
	iss := mustAdd(t, f.store, "A")
	f.secrets = append(f.secrets, iss.Password)
	if _, _, err := f.connect(nats.UserInfo(iss.User, iss.Password)); err != nil {
		t.Fatalf("re-added agent: %v", err)
	}
	if _, _, err := f.connect(credsA); err == nil {
		t.Fatal("old creds accepted after re-add")
	}
}

// A connection made before Enforce starts is swept on its first poll.
func TestEnforceSweepsAtStart(t *testing.T) {
	f := newFixture(t, Options{})
	creds := f.add("A")
	closed := make(chan struct{})
	if _, _, err := f.connect(creds, nats.ClosedHandler(func(*nats.Conn) { close(closed) })); err != nil {
		t.Fatal(err)
	}
	if err := f.store.Revoke(context.Background(), "A"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go f.guard.Enforce(ctx, f.broker.Server, time.Hour)
	select {
	case <-closed:
	case <-time.After(3 * time.Second):
		t.Fatal("agent revoked before Enforce started is still connected")
	}
	// The broker's own in-process connection is the controller: untouched.
	if !f.broker.Conn.IsConnected() {
		t.Fatal("controller connection was cut")
	}
}
