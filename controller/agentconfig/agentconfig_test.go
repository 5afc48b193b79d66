package agentconfig

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vantage-net/vantage/agent/remote"
	"github.com/vantage-net/vantage/internal/testnats"
)

func connect(t *testing.T) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	nc := testnats.Connect(t, testnats.StartJetStream(t))
	js, _ := jetstream.New(nc)
	return nc, js
}

func TestPutGet(t *testing.T) {
	_, js := connect(t)
	ctx := context.Background()
	if _, _, err := Get(ctx, js, "cpe-1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get before any Put: %v", err)
	}
	cfg := []byte("probes:\n  - {name: pop, type: ping, interval: 1s, targets: [198.18.0.1]}\n")
	rev, err := Put(ctx, js, "cpe-1", cfg)
	if err != nil {
		t.Fatal(err)
	}
	got, grev, err := Get(ctx, js, "cpe-1")
	if err != nil || grev != rev || string(got) != string(cfg) {
		t.Errorf("Get = %q rev %d err %v, want rev %d", got, grev, err, rev)
	}
	kv, _ := js.KeyValue(ctx, remote.Bucket)
	if st, _ := kv.Status(ctx); st.History() != History {
		t.Errorf("bucket history %d, want %d", st.History(), History)
	}
	for _, bad := range []struct{ id, text, want string }{
		{"cpe-1", "probes:\n  - {name: pop, type: ping, interval: 50ms, targets: [198.18.0.1]}\n", "VANTAGE_AGENT_CONFIG/cpe-1@new:2: probes[0].interval: 50ms is shorter than 100ms"},
		{"cpe-1", "http_listen: 0.0.0.0:80\n", "VANTAGE_AGENT_CONFIG/cpe-1@new:1: http_listen: cannot be set by a remote config"},
		{"cpe 1", "probes: []\n", `agent id "cpe 1"`},
	} {
		if _, err := Put(ctx, js, bad.id, []byte(bad.text)); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("Put(%q): %v, want %q", bad.text, err, bad.want)
		}
	}
	if _, grev, _ := Get(ctx, js, "cpe-1"); grev != rev {
		t.Errorf("a refused config was published (revision %d, want %d)", grev, rev)
	}
}

func TestStatusWatcher(t *testing.T) {
	nc, _ := connect(t)
	w, err := NewStatusWatcher(nc, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	pub := func(subjectAgent string, st remote.Status) {
		data, _ := json.Marshal(st)
		_ = nc.Publish(remote.StatusSubject(subjectAgent), data)
	}
	pub("cpe-1", remote.Status{Agent: "cpe-1", Revision: 3, Applied: false, Error: "bad", Running: 2})
	pub("cpe-1", remote.Status{Agent: "cpe-2", Revision: 9, Applied: true}) // speaks for another agent: ignored
	_ = nc.Flush()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if st, ok := w.Last("cpe-1"); ok && st.Revision == 3 && !st.Applied && st.Running == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("status of cpe-1 not recorded")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, ok := w.Last("cpe-2"); ok || len(w.All()) != 1 {
		t.Errorf("status published on cpe-1's subject recorded for cpe-2: %v", w.All())
	}
}
