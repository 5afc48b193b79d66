package update

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeBinary is a "binary" whose content names its version, read by
// versionInFile the way VersionOfBinary reads a real one's --version.
func fakeBinary(t *testing.T, path, version, extra string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("agent "+version+" "+extra), 0o700); err != nil {
		t.Fatal(err)
	}
}

func versionInFile(_ context.Context, path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	f := strings.Fields(string(b))
	if len(f) < 2 || f[0] != "agent" {
		return "", errors.New("not an agent")
	}
	return f[1], nil
}

// TestSeedInstallsNewerNeverOlder: the packaged binary is installed into
// the state directory when none is there, when the one there is older or
// unreadable, or has the same version but other bytes; a newer one (a
// self-update) is kept. An installed binary is complete and mode 0755.
func TestSeedInstallsNewerNeverOlder(t *testing.T) {
	cases := []struct {
		name      string
		installed string // version in dir; "" none, "garbage" not a binary
		extra     string // installed file's extra bytes
		packaged  string
		want      bool
	}{
		{"none installed", "", "", "v1.2.0", true},
		{"package upgrade wins over older self-update", "v1.1.9", "", "v1.2.0", true},
		{"newer self-update survives a restart", "v1.3.0", "", "v1.2.0", false},
		{"release after its pre-release", "v1.2.0-rc.1", "", "v1.2.0", true},
		{"pre-release does not replace its release", "v1.2.0", "", "v1.2.0-rc.1", false},
		{"numeric minor", "v1.9.0", "", "v1.10.0", true},
		{"same version same bytes", "v1.2.0", "pkg", "v1.2.0", false},
		{"same version other bytes (rebuilt package)", "v1.2.0", "old", "v1.2.0", true},
		{"unreadable installed binary is replaced", "garbage", "", "v1.2.0", true},
		{"dev package never replaces a release", "v1.2.0", "", "dev", false},
		{"release replaces a dev build", "dev", "", "v1.2.0", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := filepath.Join(t.TempDir(), "vantage-agent")
			fakeBinary(t, src, c.packaged, "pkg")
			dir := filepath.Join(t.TempDir(), "bin")
			dst := filepath.Join(dir, BinaryName)
			switch c.installed {
			case "":
			case "garbage":
				mkdir(t, dir)
				if err := os.WriteFile(dst, []byte("\x7fELF truncated"), 0o755); err != nil {
					t.Fatal(err)
				}
			default:
				mkdir(t, dir)
				extra := c.extra
				if extra == "" {
					extra = "selfupdated"
				}
				fakeBinary(t, dst, c.installed, extra)
			}
			before, _ := os.ReadFile(dst)
			why, err := Seed(context.Background(), SeedOptions{Src: src, SrcVersion: c.packaged, Dir: dir, VersionOf: versionInFile})
			if err != nil {
				t.Fatal(err)
			}
			if (why != "") != c.want {
				t.Fatalf("installed: %q, want install %v", why, c.want)
			}
			got, err := os.ReadFile(dst)
			if err != nil {
				t.Fatal(err)
			}
			want := before
			if c.want {
				want, _ = os.ReadFile(src)
			}
			if string(got) != string(want) {
				t.Fatalf("dir holds %q, want %q", got, want)
			}
			if c.want {
				st, err := os.Stat(dst)
				if err != nil {
					t.Fatal(err)
				}
				if st.Mode().Perm() != 0o755 {
					t.Fatalf("mode %v, want 0755", st.Mode().Perm())
				}
			}
			// Nothing left behind but the binary: no temporary files.
			ents, _ := os.ReadDir(dir)
			if len(ents) != 1 {
				t.Fatalf("dir holds %d entries, want only %s", len(ents), BinaryName)
			}
		})
	}
}

// TestSeedKeepsOldBinaryOnFailedCopy: a copy that cannot complete (the
// packaged binary is unreadable) leaves the installed binary as it was and
// no partial file.
func TestSeedKeepsOldBinaryOnFailedCopy(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, BinaryName)
	fakeBinary(t, dst, "v1.0.0", "old")
	_, err := Seed(context.Background(), SeedOptions{Src: filepath.Join(t.TempDir(), "missing"), SrcVersion: "v2.0.0",
		Dir: dir, VersionOf: versionInFile})
	if err == nil {
		t.Fatal("no error for a missing packaged binary")
	}
	if v, _ := versionInFile(context.Background(), dst); v != "v1.0.0" {
		t.Fatalf("installed binary is %q after a failed copy", v)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("dir holds %d entries after a failed copy", len(ents))
	}
}

// TestVersionOfBinary runs a program's --version as Seed does on a box.
func TestVersionOfBinary(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	if err := os.WriteFile(good, []byte("#!/bin/sh\necho 'vantage-agent v1.4.0 (0123456789ab)'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	v, err := VersionOfBinary(context.Background(), good)
	if err != nil || v != "v1.4.0" {
		t.Fatalf("version %q, %v; want v1.4.0", v, err)
	}
	other := filepath.Join(dir, "other")
	if err := os.WriteFile(other, []byte("#!/bin/sh\necho 'something v9'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if v, err := VersionOfBinary(context.Background(), other); err == nil {
		t.Fatalf("version %q from a program that is not the agent", v)
	}
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}
