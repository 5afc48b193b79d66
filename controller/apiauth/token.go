package apiauth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"unicode"
)

// Role is what a token may do.
type Role string

const (
	// Admin may do everything.
	Admin Role = "admin"
	// Ops reads everything and manages incidents and maintenance.
	Ops Role = "ops"
	// AccountManager reads only the customers assigned to its manager.
	AccountManager Role = "account_manager"
)

// Roles lists the roles in the order help text shows them.
var Roles = []Role{Admin, Ops, AccountManager}

func (r Role) valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// tokenPrefix marks Vantage API tokens so secret scanners and log scrubbers
// can recognise one that leaked into a file or a chat.
const tokenPrefix = "vt_"

// newToken returns 32 bytes from the OS's CSPRNG, base64url-encoded.
func newToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("apiauth: random token: %w", err)
	}
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// hashToken is the stored form of a token. An unsalted fast hash is right
// here, unlike for passwords: the token has 256 random bits, so there is no
// dictionary to try and guessing is hopeless at any hash rate; a slow KDF
// (bcrypt, argon2) only protects low-entropy secrets, and would cost
// milliseconds on every API request. Unsalted also lets a request find its
// row by the hash alone, an indexed lookup: nothing compares a secret byte
// by byte, and the index's timing reveals at most bits of a SHA-256 the
// attacker chose, which says nothing about any stored token.
func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// checkName refuses token names that would be awkward in a CLI or a log.
func checkName(name string) error {
	if name == "" || len(name) > 64 {
		return fmt.Errorf("token name must be 1 to 64 characters")
	}
	for _, c := range name {
		if unicode.IsSpace(c) || !unicode.IsPrint(c) {
			return fmt.Errorf("token name %q: no spaces or control characters", name)
		}
	}
	return nil
}
