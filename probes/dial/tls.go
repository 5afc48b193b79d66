package dial

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"time"
)

// tlsRound connects and completes a handshake. The certificate is verified
// unless insecure_skip_verify; when verification fails, the leaf still gives
// cert_days_left, because "expired 3 days ago" is the most common reason.
func (p *Prober) tlsRound(ctx context.Context, target string, r *round) error {
	conn, err := p.connect(ctx, target, r)
	if err != nil {
		return err
	}
	defer conn.Close()
	name := p.cfg.serverName
	if name == "" {
		name, _, _ = splitHostPort(target)
	}
	tc := tls.Client(conn, &tls.Config{
		ServerName:         name,
		RootCAs:            p.cfg.roots,
		InsecureSkipVerify: p.cfg.insecure,
	})
	start := time.Now()
	if err := tc.HandshakeContext(ctx); err != nil {
		var ve *tls.CertificateVerificationError
		if errors.As(err, &ve) && len(ve.UnverifiedCertificates) > 0 {
			r.certDays(ve.UnverifiedCertificates[0], p.now())
		}
		return fmt.Errorf("TLS handshake with %s (server_name %s): %w", conn.RemoteAddr(), name, err)
	}
	r.took("tls_ms", start)
	if certs := tc.ConnectionState().PeerCertificates; len(certs) > 0 {
		r.certDays(certs[0], p.now())
	}
	return nil
}

// certDays sets cert_days_left: days, fractional, until the leaf's NotAfter;
// negative once expired.
func (r *round) certDays(leaf *x509.Certificate, now time.Time) {
	r.fields["cert_days_left"] = leaf.NotAfter.Sub(now).Hours() / 24
}
