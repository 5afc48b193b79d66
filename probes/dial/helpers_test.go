package dial

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vantage-net/vantage/probes/probe"
	"github.com/vantage-net/vantage/probes/probetest"
)

// newProber builds a Prober from an options block as the agent would.
func newProber(t *testing.T, options string) *Prober {
	t.Helper()
	p, err := New(specFor(t, options))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p.(*Prober)
}

func specFor(t testing.TB, options string) probe.Spec {
	t.Helper()
	return probetest.Spec(t, "dial", options)
}

// probeOnce runs one round with a short deadline and checks the sample
// against the wire contract, as the agent would publish it.
func probeOnce(t *testing.T, p *Prober, target string, timeout time.Duration) probe.Sample {
	t.Helper()
	return probetest.Once(t, p, Measurement, target, timeout)
}

// wantOK fails unless s succeeded and every named timing is positive.
func wantOK(t *testing.T, s probe.Sample, timings ...string) {
	t.Helper()
	if s.Error != "" || s.Fields["ok"] != 1 {
		t.Fatalf("want ok, got class %q: %s (fields %v)", s.Error, s.Detail, s.Fields)
	}
	for _, f := range timings {
		if v, ok := s.Fields[f]; !ok || v <= 0 {
			t.Errorf("%s = %v, %v; want > 0", f, v, ok)
		}
	}
}

// wantFail fails unless s failed with class.
func wantFail(t *testing.T, s probe.Sample, class string) {
	t.Helper()
	if s.Error != class || s.Fields["ok"] != 0 || s.Detail == "" {
		t.Fatalf("want class %q with ok=0 and a detail, got class %q ok=%v: %s", class, s.Error, s.Fields["ok"], s.Detail)
	}
}

// closedPort returns a loopback address that refuses connections.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// testCert is a self-signed certificate for 127.0.0.1 and localhost that
// expires at notAfter; caFile holds it as PEM, to be its own root.
type testCert struct {
	tls    tls.Certificate
	caFile string
}

func newCert(t *testing.T, notAfter time.Time) testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "vantage test"},
		NotBefore:             time.Now().Add(-30 * 24 * time.Hour),
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return testCert{tls: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, caFile: caFile}
}

// serve accepts connections on a loopback listener and hands each to handle
// until the test ends.
func serve(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go handle(c)
		}
	}()
	return l.Addr().String()
}
