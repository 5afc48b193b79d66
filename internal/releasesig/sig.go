package releasesig

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Meta describes one release binary: the fields a signature covers.
type Meta struct {
	// OS and Arch are the target as `make dist` names it: linux, and
	// amd64, arm64, armv7, armv6, mipsle or mips.
	OS   string `json:"os"`
	Arch string `json:"arch"`
	// Version is the buildinfo.Version the binary reports (v1.2.3).
	Version string `json:"version"`
	// Size is the binary's length in bytes.
	Size int64 `json:"size"`
	// SHA256 is the binary's digest, lower-case hex.
	SHA256 string `json:"sha256"`
}

// context is the first line of every signed message, so a signature made
// with the release key for anything else never verifies as a release.
const context = "vantage-agent-release/v1"

// Check reports the first field of m that cannot be signed, naming it.
func (m Meta) Check() error {
	for _, f := range []struct{ name, v string }{{"os", m.OS}, {"arch", m.Arch}, {"version", m.Version}} {
		if !token(f.v) {
			return fmt.Errorf("%s: %q must be 1-64 characters of A-Z a-z 0-9 . _ + -", f.name, f.v)
		}
	}
	if m.Size <= 0 {
		return fmt.Errorf("size: %d must be positive", m.Size)
	}
	if b, err := hex.DecodeString(m.SHA256); err != nil || len(b) != sha256.Size || strings.ToLower(m.SHA256) != m.SHA256 {
		return fmt.Errorf("sha256: %q is not 64 lower-case hex digits", m.SHA256)
	}
	return nil
}

// ValidName reports whether s can be an os, arch or version of a release:
// 1-64 characters of A-Z a-z 0-9 . _ + -.
func ValidName(s string) bool { return token(s) }

// token reports whether s is a short word without separators, so the
// message's lines cannot be forged by a version holding a newline.
func token(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("._+-", c)
		if !ok {
			return false
		}
	}
	return true
}

// Message is the exact byte string a signature covers.
func (m Meta) Message() []byte {
	return fmt.Appendf(nil, "%s\nos=%s\narch=%s\nversion=%s\nsize=%d\nsha256=%s\n",
		context, m.OS, m.Arch, m.Version, m.Size, m.SHA256)
}

// Sign returns the base64 signature of m.
func Sign(key ed25519.PrivateKey, m Meta) (string, error) {
	if err := m.Check(); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(ed25519.Sign(key, m.Message())), nil
}

// ErrBadSignature is a signature that does not verify: made with another
// key, for other metadata, or damaged.
var ErrBadSignature = errors.New("signature does not verify with the pinned public key")

// Verify checks sig (base64) over m with key.
func Verify(key ed25519.PublicKey, m Meta, sig string) error {
	if err := m.Check(); err != nil {
		return err
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(sig))
	if err != nil || len(raw) != ed25519.SignatureSize {
		return fmt.Errorf("signature: not a base64 ed25519 signature")
	}
	if !ed25519.Verify(key, m.Message(), raw) {
		return ErrBadSignature
	}
	return nil
}

// ErrTooLarge is a binary longer than the limit given to Digest.
var ErrTooLarge = errors.New("binary exceeds the size limit")

// Digest reads r to its end, at most max bytes, and returns its SHA-256
// (hex) and size.
func Digest(r io.Reader, max int64) (sum string, size int64, err error) {
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(r, max+1))
	if err != nil {
		return "", n, err
	}
	if n > max {
		return "", n, ErrTooLarge
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}
