package e2e

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	agentenroll "github.com/vantage-net/vantage/agent/enroll"
	"github.com/vantage-net/vantage/controller/enroll"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testinflux"
)

// TestEnrollment: a token made with the controller's CLI is redeemed once
// by `vantage-agent enroll`'s code at the real controller's HTTPS
// enrolment listener (nats.agent_auth on); the agent started from the
// written config (0600) authenticates to the embedded NATS with the issued
// credential and JetStream acknowledges its results; the same token is refused the
// second time and the refusal is counted.
func TestEnrollment(t *testing.T) {
	if testing.Short() {
		t.Skip("e2e")
	}
	t.Parallel()
	influx := testinflux.Start(t)
	dataDir := t.TempDir()
	ca, cert, key := selfSignedLoopback(t, t.TempDir())
	port := lab.FreePort(t)
	c, reg, _, _ := runController(t, fmt.Sprintf(`http_listen: 127.0.0.1:0
data_dir: %s
nats: {listen: "127.0.0.1:%d", agent_auth: true}
influx: {url: %s, bucket: %s, request_timeout: 5s}
ingest: {fetch_batch: 50, max_ack_pending: 500, ack_wait: 10s}
enroll: {listen: "127.0.0.1:0", cert_file: %s, key_file: %s}
`, dataDir, port, influx.URL, influx.Bucket, cert, key))
	natsURL := fmt.Sprintf("nats://127.0.0.1:%d", port)

	var out bytes.Buffer
	if err := enroll.Command(context.Background(), filepath.Join(dataDir, "vantage.db"),
		[]string{"create", "cpe-enrolled", "--nats-url", natsURL, "--ttl", "10m"}, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	token := lines[len(lines)-1]

	cfgPath := filepath.Join(t.TempDir(), "agent.yaml")
	o := agentenroll.Options{Controller: "https://" + c.EnrollAddr(), Token: token, CAFile: ca, Out: cfgPath, StateDir: t.TempDir()}
	id, err := agentenroll.Run(context.Background(), o)
	if err != nil || id != "cpe-enrolled" {
		t.Fatalf("enroll: %q, %v", id, err)
	}
	if st, err := os.Stat(cfgPath); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("enrolled config: %v, mode %v", err, st.Mode())
	}
	o.Out = filepath.Join(t.TempDir(), "again.yaml")
	if _, err := agentenroll.Run(context.Background(), o); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("the token worked twice: %v", err)
	}

	// The agent runs from the enrolled file (plus one local probe) and
	// publishes as itself.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }))
	defer srv.Close()
	enrolled, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(enrolled), "http_listen: 127.0.0.1:9101", "http_listen: 127.0.0.1:0", 1) +
		fmt.Sprintf("publish: {batch_delay: 100ms}\nprobes:\n  - name: portal\n    type: http\n    interval: 1s\n    targets: [%s]\n", srv.URL)
	a, agentReg := newAgent(t, text)
	stop := runAgent(t, a)
	defer stop()
	ctx := lab.Deadline(t, 60*time.Second)
	lab.WaitFor(t, ctx, 200*time.Millisecond, func() error {
		if n := counter(t, agentReg, "vantage_agent_results_published_total"); n < 3 {
			return fmt.Errorf("the enrolled agent published %.0f results", n)
		}
		return nil
	})
	if got := counter(t, reg, "vantage_controller_enroll_requests_total"); got != 2 {
		t.Errorf("enroll requests counted: %.0f, want 2 (ok, invalid)", got)
	}
}

// selfSignedLoopback writes a self-signed certificate for 127.0.0.1 (its
// own CA) and its key: ca and cert are the same file.
func selfSignedLoopback(t *testing.T, dir string) (ca, cert, key string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "vantage enroll test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(k)
	cert, key = filepath.Join(dir, "enroll.pem"), filepath.Join(dir, "enroll-key.pem")
	if err := os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return cert, cert, key
}
