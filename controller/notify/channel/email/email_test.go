package email

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
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/notify/channel"
	"github.com/vantage-net/vantage/internal/smtpsink"
)

// loopbackCert makes a self-signed certificate for 127.0.0.1 and writes
// it as the CA file the sender trusts.
func loopbackCert(t *testing.T) (*tls.Config, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, ca
}

func msg() channel.Message {
	return channel.Message{Key: "incident/1/C1/email:ann@x.example/outage_start", MessageID: "abc123@test.vantage",
		To: "ann@x.example", ToName: "Ann", Subject: "【Vantage】业务中断", Text: "正文 body", HTML: "<p>正文</p>"}
}

// STARTTLS and implicit TLS, each with AUTH, against a real SMTP server
// that requires both; the message keeps its Message-ID and its subject.
func TestTLSModesWithAuth(t *testing.T) {
	srvTLS, ca := loopbackCert(t)
	for _, mode := range []string{StartTLS, Implicit} {
		t.Run(mode, func(t *testing.T) {
			sink, err := smtpsink.StartWith("127.0.0.1:0", smtpsink.Options{TLS: srvTLS, Implicit: mode == Implicit,
				Username: "vantage", Password: "s3cret"})
			if err != nil {
				t.Fatal(err)
			}
			defer sink.Close()
			s, err := New(Options{Host: "127.0.0.1", Port: sink.Port(), TLS: mode, CAFile: ca, Username: "vantage",
				Password: "s3cret", From: "Vantage NOC <noc@test.vantage>", Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Send(t.Context(), msg()); err != nil {
				t.Fatal(err)
			}
			got := sink.Messages()
			if len(got) != 1 || got[0].MessageID != "<abc123@test.vantage>" || got[0].Subject != "【Vantage】业务中断" ||
				!strings.Contains(got[0].Text(), "正文 body") {
				t.Fatalf("received %+v", got)
			}
			// A wrong password is refused (535): permanent, and the
			// password is not in the error.
			bad, _ := New(Options{Host: "127.0.0.1", Port: sink.Port(), TLS: mode, CAFile: ca, Username: "vantage",
				Password: "wrong-pass", From: "noc@test.vantage", Timeout: 5 * time.Second})
			err = bad.Send(t.Context(), msg())
			if err == nil || strings.Contains(err.Error(), "wrong-pass") {
				t.Errorf("wrong password: %v", err)
			}
		})
	}
}

// starttls is mandatory: a server that does not offer it gets nothing.
func TestStartTLSRequired(t *testing.T) {
	sink, err := smtpsink.Start("127.0.0.1:0", "")
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	s, _ := New(Options{Host: "127.0.0.1", Port: sink.Port(), From: "noc@test.vantage", Timeout: 5 * time.Second})
	if err := s.Send(t.Context(), msg()); err == nil || len(sink.Messages()) != 0 {
		t.Fatalf("sent in clear to a server without STARTTLS: %v, %d messages", err, len(sink.Messages()))
	}
}

// A 451 is worth a retry; the message is not marked permanent.
func TestTemporaryRefusal(t *testing.T) {
	sink, err := smtpsink.Start("127.0.0.1:0", "")
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	sink.Refuse(1)
	s, _ := New(Options{Host: "127.0.0.1", Port: sink.Port(), TLS: None, From: "noc@test.vantage", Timeout: 5 * time.Second})
	err = s.Send(t.Context(), msg())
	if err == nil || channel.IsPermanent(err) {
		t.Fatalf("451: %v (permanent %v)", err, channel.IsPermanent(err))
	}
	if err := s.Send(t.Context(), msg()); err != nil {
		t.Fatal(err)
	}
}
