// Package pemfile reads the CA bundles probes and the agent verify TLS
// peers with.
package pemfile

import (
	"crypto/x509"
	"fmt"
	"os"
)

// CertPool reads a PEM bundle. An empty or unparsable file is an error at
// load time: otherwise every TLS handshake would fail verification with a
// message that hides the cause.
func CertPool(name string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no PEM certificate", name)
	}
	return pool, nil
}
