package agentauth

import (
	"fmt"

	"github.com/nats-io/nats-server/v2/server"
)

// TLSFiles turn on TLS between agents and the embedded NATS server.
type TLSFiles struct {
	// CertFile and KeyFile are the server's certificate chain and key (PEM).
	// Agents verify it with nats.tls.ca_file, so its names must include the
	// host in the agents' nats.urls.
	CertFile string
	KeyFile  string
	// ClientCAFile, if set, makes TLS mutual: an agent must also present a
	// certificate (nats.tls.cert_file / key_file) signed by this CA. The
	// agent's password is still required; the certificate only adds a second lock.
	ClientCAFile string
}

// apply sets the server's TLS. Agents on the network must then use TLS
// (tls:// URLs or a ca_file); the controller's in-process connection is
// exempt (nats-server skips TLS on in-process connections).
func (t *TLSFiles) apply(o *server.Options) error {
	tc, err := server.GenTLSConfig(&server.TLSConfigOpts{
		CertFile: t.CertFile,
		KeyFile:  t.KeyFile,
		CaFile:   t.ClientCAFile,
		Verify:   t.ClientCAFile != "",
	})
	if err != nil {
		return fmt.Errorf("nats tls: %w", err)
	}
	o.TLSConfig = tc
	o.TLSVerify = t.ClientCAFile != ""
	o.TLSTimeout = 2 // seconds for the handshake; nats-server's default 0.5 s is tight for a CPE on a bad line
	return nil
}
