package packaging

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// AgentTags are the build tags of a shipped agent: vantage_lite serves
// /metrics with internal/metrics/lite instead of client_golang and its
// protobuf data model (about 2.4 MB less on MIPS; same metrics, same text).
const AgentTags = "vantage_lite"

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
// DWARF), which is what an edge box's flash holds. The agent is built with
// AgentTags and the target's GCFlags and LDFlags. It returns the path.
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
	if t.Binary == "vantage-agent" && t.LDFlags != "" {
		ldflags += " " + t.LDFlags
	}
	args := []string{"build", "-trimpath", "-ldflags", ldflags, "-o", out}
	if t.Binary == "vantage-agent" {
		args = append(args, "-tags", AgentTags)
		for _, g := range t.GCFlags {
			args = append(args, "-gcflags="+g)
		}
	}
	cmd := exec.CommandContext(ctx, goCmd, append(args, "./cmd/"+t.Binary)...)
	cmd.Dir = o.Root
	cmd.Env = append(os.Environ(), t.Env()...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build %s: %w\n%s", t.Name(), err, stderr.Bytes())
	}
	return out, nil
}
