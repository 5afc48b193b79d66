package pemfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCertPoolRefusesAFileWithoutCertificates(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(p, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := CertPool(p); err == nil || !strings.Contains(err.Error(), "holds no PEM certificate") {
		t.Errorf("CertPool: %v", err)
	}
	if _, err := CertPool(filepath.Join(t.TempDir(), "missing.pem")); err == nil {
		t.Error("a missing file was accepted")
	}
}
