package update

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// BinaryName is the agent binary's file name in a seeded directory.
const BinaryName = "vantage-agent"

// SeedOptions say what Seed installs where.
type SeedOptions struct {
	// Src is the packaged binary (/usr/bin/vantage-agent), SrcVersion its
	// buildinfo.Version.
	Src, SrcVersion string
	// Dir receives Dir/vantage-agent: a directory the agent's user can
	// write, so self-update can swap the binary there.
	Dir string
	// VersionOf reads the version of the binary at a path; nil runs it
	// with --version (VersionOfBinary).
	VersionOf func(ctx context.Context, path string) (string, error)
}

// Seed installs the packaged binary as Dir/vantage-agent, atomically and
// mode 0755, when Dir has none, when the one there does not say its
// version (a broken file must not keep the service down), when the packaged
// one is newer, or when both claim the same version but differ (a rebuilt
// package). It never replaces a newer binary: one that self-update
// installed survives restarts until a newer package arrives. It returns
// why it installed, or "" when it kept Dir's binary.
func Seed(ctx context.Context, o SeedOptions) (why string, err error) {
	versionOf := o.VersionOf
	if versionOf == nil {
		versionOf = VersionOfBinary
	}
	dst := filepath.Join(o.Dir, BinaryName)
	switch _, err := os.Stat(dst); {
	case errors.Is(err, fs.ErrNotExist):
		why = "none installed"
	case err != nil:
		return "", err
	default:
		have, verr := versionOf(ctx, dst)
		if verr != nil {
			why = fmt.Sprintf("installed binary has no readable version (%v)", verr)
			break
		}
		c, ok := compareVersions(o.SrcVersion, have)
		switch {
		case ok && c > 0:
			why = fmt.Sprintf("packaged %s is newer than installed %s", o.SrcVersion, have)
		case ok && c < 0:
			return "", nil
		case o.SrcVersion == have:
			same, err := sameContent(o.Src, dst)
			if err != nil {
				return "", err
			}
			if same {
				return "", nil
			}
			why = fmt.Sprintf("packaged %s differs from installed %s", o.SrcVersion, have)
		case !ok:
			// "dev" and the like: a release never gives way to one, a
			// non-version always gives way to a release.
			if _, srcOK := parseSemver(o.SrcVersion); !srcOK {
				return "", nil
			}
			why = fmt.Sprintf("packaged %s replaces installed %q", o.SrcVersion, have)
		}
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return "", err
	}
	if err := copyAtomic(o.Src, dst); err != nil {
		return "", fmt.Errorf("install %s as %s: %w", o.Src, dst, err)
	}
	return why, nil
}

// VersionOfBinary runs path --version ("vantage-agent v1.2.3 (rev)") and
// returns the version word, within 30 s (a slow MIPS box starts it in
// well under that). It uses os.StartProcess rather than os/exec, which
// would cost the MIPS agent about 100 kB for this one call.
func VersionOfBinary(ctx context.Context, path string) (string, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return "", err
	}
	defer r.Close()
	p, err := os.StartProcess(path, []string{path, "--version"}, &os.ProcAttr{Files: []*os.File{nil, w, nil}})
	w.Close()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { _ = p.Kill() })
	defer stop()
	out, rerr := io.ReadAll(io.LimitReader(r, 4096))
	st, err := p.Wait()
	switch {
	case err != nil:
		return "", err
	case ctx.Err() != nil:
		return "", fmt.Errorf("%s --version: %w", path, ctx.Err())
	case !st.Success():
		return "", fmt.Errorf("%s --version: %s", path, st)
	case rerr != nil:
		return "", rerr
	}
	f := strings.Fields(string(out))
	if len(f) < 2 || f[0] != BinaryName {
		return "", fmt.Errorf("%s --version printed %q", path, bytes.TrimSpace(out))
	}
	return f[1], nil
}

// copyAtomic writes src to a temporary file beside dst, synced and 0755,
// and renames it over dst: dst is the old or the new binary at every
// instant, also across a power cut.
func copyAtomic(src, dst string) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".install-")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = io.Copy(tmp, in); err != nil {
		return err
	}
	if err = tmp.Chmod(0o755); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), dst); err != nil {
		return err
	}
	if d, derr := os.Open(filepath.Dir(dst)); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// sameContent compares two files byte for byte.
func sameContent(a, b string) (bool, error) {
	fa, err := os.Open(a)
	if err != nil {
		return false, err
	}
	defer fa.Close()
	fb, err := os.Open(b)
	if err != nil {
		return false, err
	}
	defer fb.Close()
	ba, bb := make([]byte, 64<<10), make([]byte, 64<<10)
	for {
		na, ea := io.ReadFull(fa, ba)
		nb, eb := io.ReadFull(fb, bb)
		if na != nb || !bytes.Equal(ba[:na], bb[:nb]) {
			return false, nil
		}
		if ea == io.EOF || ea == io.ErrUnexpectedEOF {
			return eb == io.EOF || eb == io.ErrUnexpectedEOF, nil
		}
		if ea != nil {
			return false, ea
		}
		if eb != nil {
			return false, eb
		}
	}
}
