package packaging

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// BuildOptions say where the module is, where binaries go and which version
// they carry.
type BuildOptions struct {
	// Root is the module root (the folder with go.mod).
	Root string
	// OutDir receives one binary per target, named Target.Name().
	OutDir string
	// Version is stamped into internal/buildinfo.Version.
	Version string
	// Go is the go command; "go" when empty.
	Go string
}

// Build cross-builds t: static (CGO_ENABLED=0), -trimpath so no path of the
// build machine is in the binary, and stripped (-s -w: no symbol table, no
// DWARF), which is what an edge box's flash holds. It returns the path.
func Build(ctx context.Context, o BuildOptions, t Target) (string, error) {
	goCmd := o.Go
	if goCmd == "" {
		goCmd = "go"
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return "", err
	}
	out, err := filepath.Abs(filepath.Join(o.OutDir, t.Name()))
	if err != nil {
		return "", err
	}
	ldflags := "-s -w -X github.com/vantage-net/vantage/internal/buildinfo.Version=" + o.Version
	cmd := exec.CommandContext(ctx, goCmd, "build", "-trimpath", "-ldflags", ldflags, "-o", out, "./cmd/"+t.Binary)
	cmd.Dir = o.Root
	cmd.Env = append(os.Environ(), t.Env()...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build %s: %w\n%s", t.Name(), err, stderr.Bytes())
	}
	return out, nil
}
