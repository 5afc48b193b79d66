package agentauth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
)

// newSecret makes an agent password: 32 random bytes, base64url (43
// characters, safe in YAML and in a NATS CONNECT).
func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func hashSecret(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// sameSecret compares in constant time, so response timing tells an
// attacker nothing about how much of a guess was right.
func sameSecret(hash []byte, given string) bool {
	return subtle.ConstantTimeCompare(hash, hashSecret(given)) == 1
}
