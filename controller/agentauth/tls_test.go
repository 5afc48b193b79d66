package agentauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// writeCA makes a CA and a server certificate for 127.0.0.1 signed by it,
// as PEM files in dir: ca.pem, server.pem, server-key.pem.
func writeCA(t *testing.T, dir string) (ca, cert, key string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "vantage test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	srvKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	srvTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "controller"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(srvKey)
	ca, cert, key = filepath.Join(dir, "ca.pem"), filepath.Join(dir, "server.pem"), filepath.Join(dir, "server-key.pem")
	for path, block := range map[string]*pem.Block{
		ca: {Type: "CERTIFICATE", Bytes: caDER}, cert: {Type: "CERTIFICATE", Bytes: srvDER}, key: {Type: "EC PRIVATE KEY", Bytes: keyDER},
	} {
		if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return ca, cert, key
}

// TestTLS runs the server without broker.Start: the broker dials its
// in-process connection with srv.ClientURL(), which is tls:// once TLS is
// on, and so attempts a handshake nats-server does not do in-process (see
// the note on broker in the report). Agents are what TLS is for.
func TestTLS(t *testing.T) {
	ca, cert, key := writeCA(t, t.TempDir())
	g, err := NewGuard(openStore(t), Options{TLS: &TLSFiles{CertFile: cert, KeyFile: key}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := &server.Options{Host: "127.0.0.1", Port: -1, NoSigs: true, NoLog: true}
	if err := g.Configure(o); err != nil {
		t.Fatal(err)
	}
	srv, err := server.NewServer(o)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Start()
	t.Cleanup(srv.Shutdown)
	if !srv.ReadyForConnections(5 * time.Second) {
		t.Fatal("server not ready")
	}
	iss, err := g.store.Add(context.Background(), "A")
	if err != nil {
		t.Fatal(err)
	}
	creds := nats.UserInfo(iss.User, iss.Password)
	url := strings.Replace(srv.ClientURL(), "nats://", "tls://", 1)

	nc, err := nats.Connect(url, creds, nats.RootCAs(ca), nats.Timeout(2*time.Second))
	if err != nil {
		t.Fatalf("agent over TLS: %v", err)
	}
	nc.Close()
	// Without the CA the agent cannot verify the server and stops before
	// sending its password; a plain nats:// client is switched to TLS by
	// the server's INFO and fails the same way.
	for _, u := range []string{url, strings.Replace(url, "tls://", "nats://", 1)} {
		if _, err := nats.Connect(u, creds, nats.Timeout(2*time.Second), nats.MaxReconnects(0)); err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Fatalf("%s without the CA: %v", u, err)
		}
	}
}
