package packaging

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// NFPMVersion is the nfpm release the packages are made with. It runs as a
// program installed with `go install`, so its dependencies stay out of
// this module's go.mod.
const NFPMVersion = "v2.45.2"

// InstallNFPM installs the pinned nfpm into dir (once; later calls reuse it)
// and returns its path.
func InstallNFPM(ctx context.Context, goCmd, dir string) (string, error) {
	if goCmd == "" {
		goCmd = "go"
	}
	// Absolute: Package runs nfpm from packaging/.
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	bin := filepath.Join(abs, "nfpm")
	stamp := bin + ".version"
	if v, err := os.ReadFile(stamp); err == nil && string(v) == NFPMVersion {
		if _, err := os.Stat(bin); err == nil {
			return bin, nil
		}
	}
	cmd := exec.CommandContext(ctx, goCmd, "install", "github.com/goreleaser/nfpm/v2/cmd/nfpm@"+NFPMVersion)
	cmd.Env = append(os.Environ(), "GOBIN="+abs, "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go install nfpm@%s: %w\n%s", NFPMVersion, err, out)
	}
	return bin, os.WriteFile(stamp, []byte(NFPMVersion), 0o644)
}

// Formats are nfpm's packager names this project makes.
var Formats = []string{"deb", "rpm", "ipk"}

// PackageOptions say which nfpm to run, where the configs are and where
// packages go.
type PackageOptions struct {
	// NFPM is the nfpm binary (InstallNFPM).
	NFPM string
	// Dir is this folder (packaging/): nfpm configs, units, scripts.
	Dir string
	// OutDir receives the packages.
	OutDir string
	// Version is the package version, see PackageVersion.
	Version string
}

// Wants reports whether a package of format is made for t.
func (t Target) Wants(format string) bool {
	switch format {
	case "deb", "rpm":
		return t.NFPMArch != ""
	case "ipk":
		return t.IPKArch != ""
	}
	return false
}

// Package makes one package of format from the binary at bin, built for t,
// and returns its path: <binary>_<version>_<arch>.<format>.
func Package(ctx context.Context, o PackageOptions, t Target, format, bin string) (string, error) {
	if !t.Wants(format) {
		return "", fmt.Errorf("no %s package for %s", format, t.Name())
	}
	arch := t.NFPMArch
	if format == "ipk" {
		arch = t.IPKArch
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return "", err
	}
	out, err := filepath.Abs(filepath.Join(o.OutDir, fmt.Sprintf("%s_%s_%s.%s", t.Binary, o.Version, t.Arch, format)))
	if err != nil {
		return "", err
	}
	bin, err = filepath.Abs(bin)
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, o.NFPM, "package", "--config", filepath.Join("nfpm", t.Binary+".yaml"),
		"--packager", format, "--target", out)
	cmd.Dir = o.Dir
	cmd.Env = append(os.Environ(), "ARCH="+arch, "VERSION="+o.Version, "BIN="+bin)
	var stderr bytes.Buffer
	cmd.Stdout = &stderr
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("nfpm %s %s: %w\n%s", format, t.Name(), err, stderr.Bytes())
	}
	return out, nil
}

// PackageVersion turns a `git describe` answer into a version every
// package format accepts: "v1.2.3" stays, a bare commit ("0299355-dirty",
// no tag yet) becomes "0.0.0-0299355-dirty".
func PackageVersion(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return "0.0.0-dev"
	}
	if v[0] == 'v' && len(v) > 1 && v[1] >= '0' && v[1] <= '9' || v[0] >= '0' && v[0] <= '9' && strings.Contains(v, ".") {
		return v
	}
	return "0.0.0-" + v
}
