package releasesig

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
)

func testKey(t *testing.T, seed byte) ed25519.PrivateKey {
	t.Helper()
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

func meta(t *testing.T, bin []byte, arch, version string) Meta {
	t.Helper()
	sum, n, err := Digest(bytes.NewReader(bin), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	return Meta{OS: "linux", Arch: arch, Version: version, Size: n, SHA256: sum}
}

func TestVerifyRefusesTamperingWrongKeyAndReplay(t *testing.T) {
	key := testKey(t, 1)
	pub := key.Public().(ed25519.PublicKey)
	bin := []byte("\x7fELF the agent binary v2")
	m := meta(t, bin, "arm64", "v2.0.0")
	sig, err := Sign(key, m)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(pub, m, sig); err != nil {
		t.Fatalf("valid signature refused: %v", err)
	}

	tampered := bytes.Clone(bin)
	tampered[5] ^= 1
	other := testKey(t, 2)
	wrongSig, _ := Sign(other, m)
	cases := map[string]struct {
		key  ed25519.PublicKey
		meta Meta
		sig  string
	}{
		"tampered byte":        {pub, meta(t, tampered, "arm64", "v2.0.0"), sig},
		"wrong key":            {other.Public().(ed25519.PublicKey), m, sig},
		"signed by other key":  {pub, m, wrongSig},
		"replayed for arch":    {pub, meta(t, bin, "mipsle", "v2.0.0"), sig},
		"replayed for version": {pub, meta(t, bin, "arm64", "v2.0.1"), sig},
		"replayed for os":      {pub, Meta{OS: "freebsd", Arch: m.Arch, Version: m.Version, Size: m.Size, SHA256: m.SHA256}, sig},
	}
	for name, c := range cases {
		if err := Verify(c.key, c.meta, c.sig); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: Verify = %v, want ErrBadSignature", name, err)
		}
	}
	if err := Verify(pub, m, "not base64!"); err == nil || !strings.Contains(err.Error(), "signature") {
		t.Errorf("garbage signature: %v", err)
	}
}

func TestMetaCheckNamesTheField(t *testing.T) {
	good := Meta{OS: "linux", Arch: "amd64", Version: "v1", Size: 1, SHA256: strings.Repeat("ab", 32)}
	for field, m := range map[string]Meta{
		"version": {OS: "linux", Arch: "amd64", Version: "v1\nsha256=x", Size: 1, SHA256: good.SHA256},
		"arch":    {OS: "linux", Arch: "", Version: "v1", Size: 1, SHA256: good.SHA256},
		"size":    {OS: "linux", Arch: "amd64", Version: "v1", Size: 0, SHA256: good.SHA256},
		"sha256":  {OS: "linux", Arch: "amd64", Version: "v1", Size: 1, SHA256: strings.Repeat("AB", 32)},
	} {
		if err := m.Check(); err == nil || !strings.HasPrefix(err.Error(), field+":") {
			t.Errorf("%s: Check = %v", field, err)
		}
	}
	if err := good.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestDigestCapsTheSize(t *testing.T) {
	if _, _, err := Digest(bytes.NewReader(make([]byte, 11)), 10); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Digest over the cap = %v", err)
	}
	if _, n, err := Digest(bytes.NewReader(make([]byte, 10)), 10); err != nil || n != 10 {
		t.Fatalf("Digest at the cap = %d, %v", n, err)
	}
}

func TestKeysRoundTrip(t *testing.T) {
	key := testKey(t, 3)
	back, err := ParsePrivateKey(EncodePrivateKey(key))
	if err != nil || !back.Equal(key) {
		t.Fatalf("private key round trip: %v", err)
	}
	pub, err := ParsePublicKey(EncodePublicKey(key.Public().(ed25519.PublicKey)))
	if err != nil || !pub.Equal(key.Public()) {
		t.Fatalf("public key round trip: %v", err)
	}
	if _, err := ParsePublicKey(EncodePrivateKey(key)); err == nil {
		t.Fatal("a private key parsed as a public key")
	}
}
