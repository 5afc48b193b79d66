package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/controller"
	"github.com/vantage-net/vantage/controller/apiauth"
	ctrlconfig "github.com/vantage-net/vantage/controller/config"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/logbuf"
	"github.com/vantage-net/vantage/internal/testinflux"
	"github.com/vantage-net/vantage/internal/testnats"
)

// TestSecretsNotInLogOrStatus (issue 10, item 9): the controller is given an
// InfluxDB URL and a NATS URL that both carry user:password@ (a real
// InfluxDB 1.8, which ignores them, and a real nats-server that requires
// them). Its start-up log, /api/v1/status, /healthz and /metrics show the
// URLs without the credentials, and no API token; /api/v1/status answers
// admin and ops only; every API route answers the same 401 without a
// valid token.
func TestSecretsNotInLogOrStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("e2e")
	}
	t.Parallel()
	influx := testinflux.Start(t)
	const natsPass, influxPass = "nats-Pa55-9f3k", "influx-Pa55-7q2z"
	ns := testnats.Start(t, server.Options{JetStream: true, StoreDir: t.TempDir(), Username: "ctl", Password: natsPass})
	port := ns.Addr().(interface{ String() string }).String()
	_, port, _ = strings.Cut(port, ":")
	influxWithCreds := strings.Replace(influx.URL, "http://", "http://vantage:"+influxPass+"@", 1)
	dataDir := t.TempDir()
	cfg, err := ctrlconfig.Parse("controller.yaml", []byte(fmt.Sprintf(`http_listen: 127.0.0.1:0
data_dir: %s
nats: {urls: ["nats://ctl:%s@127.0.0.1:%s"], agent_auth: false}
influx: {url: %q, bucket: %s}
`, dataDir, natsPass, port, influxWithCreds, influx.Bucket)))
	if err != nil {
		t.Fatal(err)
	}
	logs := &logbuf.Buffer{}
	c, err := controller.New(controller.Options{Config: cfg, Logger: slog.New(slog.NewTextHandler(logs, nil)),
		Registry: prometheus.NewRegistry(), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(dataDir, "vantage.db")
	admin := createToken(t, dbPath, "--name", "sec-admin", "--role", "admin")
	ops := createToken(t, dbPath, "--name", "sec-ops", "--role", "ops")
	am := createToken(t, dbPath, "--name", "sec-am", "--role", "account_manager", "--manager", "am-1")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("controller did not stop within 30s")
		}
	})
	wctx, wcancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer wcancel()
	lab.WaitFor(t, wctx, 50*time.Millisecond, func() error {
		if !strings.Contains(logs.String(), "controller running") {
			return fmt.Errorf("no start-up line yet")
		}
		return nil
	})
	get := func(path, token string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, "http://"+c.HTTPAddr()+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	served := map[string]string{}
	for _, tc := range []struct {
		name, token string
		want        int
	}{{"admin", admin, 200}, {"ops", ops, 200}, {"account manager", am, 403}, {"no token", "", 401}} {
		code, body := get("/api/v1/status", tc.token)
		if code != tc.want {
			t.Errorf("/api/v1/status as %s: %d, want %d: %s", tc.name, code, tc.want, body)
		}
		served["status as "+tc.name] = body
	}
	if !strings.Contains(served["status as admin"], `"influx_url":"http://127.0.0.1:`) ||
		!strings.Contains(served["status as admin"], `"nats_url":"nats://127.0.0.1:`+port) {
		t.Errorf("status lost the URLs themselves: %s", served["status as admin"])
	}
	// Every route, and a path no route has, answers a missing, a wrong and
	// a revoked token with the very same 401 (issue 10: keep what held).
	if err := apiauth.Command(context.Background(), dbPath, []string{"revoke", "--name", "sec-ops"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	var first string
	for _, path := range []string{"/api/v1/customers", "/api/v1/lines", "/api/v1/lines/L1", "/api/v1/incidents",
		"/api/v1/incidents/1", "/api/v1/agents", "/api/v1/agents/cpe-1", "/api/v1/agents/cpe-1/config", "/api/v1/status",
		"/api/v1/no-such-route"} {
		for who, tok := range map[string]string{"no token": "", "wrong token": "vt_" + strings.Repeat("A", 43), "revoked token": ops} {
			code, body := get(path, tok)
			if first == "" {
				first = body
			}
			if code != http.StatusUnauthorized || body != first {
				t.Errorf("%s with %s: %d %s, want the 401 %s", path, who, code, body, first)
			}
		}
	}
	_, served["/healthz"] = get("/healthz", "")
	_, served["/metrics"] = get("/metrics", "")
	served["log"] = logs.String()
	for what, text := range served {
		for _, secret := range []string{natsPass, influxPass, "vantage:", "ctl:", admin, ops, am} {
			if strings.Contains(text, secret) {
				t.Errorf("%s shows %q:\n%s", what, secret, text)
			}
		}
	}
	line := ""
	for _, l := range strings.Split(served["log"], "\n") {
		if strings.Contains(l, "controller running") {
			line = l
		}
	}
	if !strings.Contains(line, "influx=http://127.0.0.1:") || !strings.Contains(line, "nats=nats://127.0.0.1:"+port) {
		t.Errorf("start-up line without the stripped URLs: %s", line)
	}
}
