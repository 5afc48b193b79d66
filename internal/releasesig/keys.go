package releasesig

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"strings"
)

// Key texts: "ed25519:" and the base64 of the raw key, one line. The public
// key is what agents pin (update.public_key); the private key is the seed,
// kept offline by whoever signs releases.
const (
	publicPrefix  = "ed25519:"
	privatePrefix = "ed25519-private:"
)

// EncodePublicKey returns the text form of key, for agent configs.
func EncodePublicKey(key ed25519.PublicKey) string {
	return publicPrefix + base64.StdEncoding.EncodeToString(key)
}

// ParsePublicKey reads EncodePublicKey's form.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b64, ok := strings.CutPrefix(strings.TrimSpace(s), publicPrefix)
	raw, err := base64.StdEncoding.DecodeString(b64)
	if !ok || err != nil || len(raw) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("not an ed25519 public key (want %s and %d base64 bytes, as `vantage-controller release keygen` writes)", publicPrefix, ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(raw), nil
}

// EncodePrivateKey returns the text form of key (its seed).
func EncodePrivateKey(key ed25519.PrivateKey) string {
	return privatePrefix + base64.StdEncoding.EncodeToString(key.Seed()) + "\n"
}

// ParsePrivateKey reads EncodePrivateKey's form.
func ParsePrivateKey(s string) (ed25519.PrivateKey, error) {
	b64, ok := strings.CutPrefix(strings.TrimSpace(s), privatePrefix)
	raw, err := base64.StdEncoding.DecodeString(b64)
	if !ok || err != nil || len(raw) != ed25519.SeedSize {
		return nil, fmt.Errorf("not an ed25519 private key (want %s and a %d-byte base64 seed)", privatePrefix, ed25519.SeedSize)
	}
	return ed25519.NewKeyFromSeed(raw), nil
}
