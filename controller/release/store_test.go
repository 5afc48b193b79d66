package release

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vantage-net/vantage/internal/releasesig"
)

func keyPair(seed byte) (ed25519.PrivateKey, ed25519.PublicKey) {
	k := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	return k, k.Public().(ed25519.PublicKey)
}

func writeBin(t *testing.T, data string) (string, releasesig.Meta) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "agent")
	if err := os.WriteFile(p, []byte(data), 0o755); err != nil {
		t.Fatal(err)
	}
	sum, n, _ := releasesig.Digest(strings.NewReader(data), 1<<20)
	return p, releasesig.Meta{OS: "linux", Arch: "amd64", Version: "v2", Size: n, SHA256: sum}
}

func TestStoreAddGetList(t *testing.T) {
	priv, pub := keyPair(1)
	s := NewStore(t.TempDir(), pub)
	bin, m := writeBin(t, "binary v2")
	sig, _ := releasesig.Sign(priv, m)
	if _, err := s.Add(bin, releasesig.Meta{OS: m.OS, Arch: m.Arch, Version: m.Version}, sig); err != nil {
		t.Fatal(err)
	}
	r, err := s.Get("linux", "amd64", "v2")
	if err != nil || r.SHA256 != m.SHA256 || r.Size != m.Size {
		t.Fatalf("Get = %+v, %v", r, err)
	}
	if _, err := s.Add(bin, m, sig); err == nil || !strings.Contains(err.Error(), "exists already") {
		t.Fatalf("second Add of one version: %v", err)
	}
	if list, err := s.List(); err != nil || len(list) != 1 || list[0].Version != "v2" {
		t.Fatalf("List = %+v, %v", list, err)
	}
	if _, err := s.Get("linux", "amd64", "../../etc"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get with a path: %v", err)
	}
}

func TestStoreRefusesWhatAgentsWouldRefuse(t *testing.T) {
	_, pub := keyPair(1)
	other, _ := keyPair(2)
	s := NewStore(t.TempDir(), pub)
	bin, m := writeBin(t, "binary v2")
	sig, _ := releasesig.Sign(other, m)
	if _, err := s.Add(bin, m, sig); !errors.Is(err, releasesig.ErrBadSignature) {
		t.Fatalf("Add signed with another key: %v", err)
	}
	if list, _ := s.List(); len(list) != 0 {
		t.Fatalf("refused release stored: %+v", list)
	}
}
