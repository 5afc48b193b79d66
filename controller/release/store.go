package release

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/vantage-net/vantage/internal/releasesig"
)

// MaxBinaryBytes bounds a release binary: the stripped agent is ~10 MB
// (packaging/size-budget.txt); 64 MB leaves room without letting a mistake
// fill the disk or an agent's flash.
const MaxBinaryBytes = 64 << 20

// binaryName is the file holding a release's binary.
const binaryName = "vantage-agent"

// Release is one stored binary's metadata and signature.
type Release struct {
	releasesig.Meta
	// Signature is the base64 ed25519 signature over Meta.
	Signature string `json:"signature"`
}

// Store is a directory of releases.
type Store struct {
	dir string
	key ed25519.PublicKey
}

// NewStore returns the store in dir; key verifies what Add stores and what
// Get returns (a file changed on disk is not served).
func NewStore(dir string, key ed25519.PublicKey) *Store { return &Store{dir: dir, key: key} }

func (s *Store) path(os, arch, version string, name string) string {
	return filepath.Join(s.dir, os, arch, version, name)
}

// Add stores the binary at binPath as release m (Size and SHA256 are
// computed here) with sig, after verifying sig with the store's key.
func (s *Store) Add(binPath string, m releasesig.Meta, sig string) (Release, error) {
	f, err := os.Open(binPath)
	if err != nil {
		return Release{}, err
	}
	defer f.Close()
	if m.SHA256, m.Size, err = releasesig.Digest(f, MaxBinaryBytes); err != nil {
		return Release{}, fmt.Errorf("%s: %w", binPath, err)
	}
	if err := releasesig.Verify(s.key, m, sig); err != nil {
		return Release{}, fmt.Errorf("release %s/%s %s: %w", m.OS, m.Arch, m.Version, err)
	}
	dir := filepath.Dir(s.path(m.OS, m.Arch, m.Version, binaryName))
	if _, err := os.Stat(dir); err == nil {
		return Release{}, fmt.Errorf("release %s/%s %s exists already; a version is never replaced, publish a new one", m.OS, m.Arch, m.Version)
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return Release{}, err
	}
	// Written in a temporary directory and renamed into place, so a
	// half-copied release is never served.
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".add-")
	if err != nil {
		return Release{}, err
	}
	defer os.RemoveAll(tmp)
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return Release{}, err
	}
	if err := copyFile(filepath.Join(tmp, binaryName), f, 0o644); err != nil {
		return Release{}, err
	}
	r := Release{Meta: m, Signature: sig}
	js, _ := json.MarshalIndent(r, "", "  ")
	if err := os.WriteFile(filepath.Join(tmp, "release.json"), append(js, '\n'), 0o644); err != nil {
		return Release{}, err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return Release{}, err
	}
	return r, os.Rename(tmp, dir)
}

func copyFile(path string, r io.Reader, mode os.FileMode) error {
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, io.LimitReader(r, MaxBinaryBytes)); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// ErrNotFound is a release the store does not hold.
var ErrNotFound = errors.New("release not found")

// Get returns the release's metadata, verified again with the store's key.
func (s *Store) Get(goos, arch, version string) (Release, error) {
	if err := (releasesig.Meta{OS: goos, Arch: arch, Version: version, Size: 1, SHA256: zeroSum}).Check(); err != nil {
		return Release{}, ErrNotFound // not a name a release can have: never a path outside dir
	}
	b, err := os.ReadFile(s.path(goos, arch, version, "release.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return Release{}, ErrNotFound
	} else if err != nil {
		return Release{}, err
	}
	var r Release
	if err := json.Unmarshal(b, &r); err != nil {
		return Release{}, fmt.Errorf("release %s/%s %s: release.json: %w", goos, arch, version, err)
	}
	if r.OS != goos || r.Arch != arch || r.Version != version {
		return Release{}, fmt.Errorf("release %s/%s %s: release.json names %s/%s %s", goos, arch, version, r.OS, r.Arch, r.Version)
	}
	if err := releasesig.Verify(s.key, r.Meta, r.Signature); err != nil {
		return Release{}, fmt.Errorf("release %s/%s %s: %w", goos, arch, version, err)
	}
	return r, nil
}

const zeroSum = "0000000000000000000000000000000000000000000000000000000000000000"

// Open opens the release's binary (after Get found it).
func (s *Store) Open(r Release) (*os.File, error) {
	return os.Open(s.path(r.OS, r.Arch, r.Version, binaryName))
}

// List returns every release, by os, arch and version.
func (s *Store) List() ([]Release, error) {
	paths, err := filepath.Glob(filepath.Join(s.dir, "*", "*", "*", "release.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var out []Release
	for _, p := range paths {
		rel, _ := filepath.Rel(s.dir, filepath.Dir(p))
		d1 := filepath.Dir(rel) // os/arch
		r, err := s.Get(filepath.Dir(d1), filepath.Base(d1), filepath.Base(rel))
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}
