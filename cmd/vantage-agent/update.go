package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"syscall"

	"github.com/vantage-net/vantage/agent/config"
	"github.com/vantage-net/vantage/agent/remote"
	"github.com/vantage-net/vantage/agent/update"
	"github.com/vantage-net/vantage/internal/buildinfo"
	"github.com/vantage-net/vantage/internal/clock"
	"github.com/vantage-net/vantage/internal/metrics"
	"github.com/vantage-net/vantage/internal/releasesig"
)

// newUpdater builds the self-updater when remote config is on (releases
// arrive through it); without update.public_key it refuses every release
// and says so. nil when the agent takes no remote config.
func newUpdater(cfg *config.Config, log *slog.Logger, reg metrics.Registerer, restart func(), report func(remote.UpdateStatus)) (*update.Updater, error) {
	if !cfg.RemoteConfig.Enabled {
		return nil, nil
	}
	var key []byte
	if cfg.Update.PublicKey != "" {
		k, err := releasesig.ParsePublicKey(cfg.Update.PublicKey)
		if err != nil {
			return nil, err // Load validated it already
		}
		key = k
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("self-update: %w", err)
	}
	// A candidate runs as vantage-agent.next; the known-good path is
	// without the suffix.
	exe = strings.TrimSuffix(exe, ".next")
	goos, arch := update.Target()
	return update.New(update.Options{PublicKey: key, Version: buildinfo.Version, OS: goos, Arch: arch, Exe: exe,
		Client: &http.Client{Timeout: cfg.Update.Timeout}, MaxBytes: int64(cfg.Update.MaxBytes),
		HealthDeadline: cfg.Update.HealthDeadline, Restart: restart, Report: report,
		Clock: clock.Real{}, Logger: log.With("component", "update"), Registry: reg}), nil
}

// execUpdate replaces this process with the binary the updater names, after
// the agent stopped cleanly (spool closed). syscall.Exec keeps the PID, so
// systemd and procd see the same service running on; file descriptors are
// close-on-exec in Go, so the new process binds its ports afresh. If exec
// fails the process exits non-zero and the service manager restarts the
// known-good binary.
func execUpdate(upd *update.Updater, log *slog.Logger) int {
	path := upd.PendingExec()
	args := append([]string{path}, os.Args[1:]...)
	log.Info("vantage-agent: exec", "binary", path)
	err := syscall.Exec(path, args, os.Environ())
	upd.ExecFailed(err)
	log.Error("vantage-agent: exec failed; exiting for the service manager to restart", "binary", path, "err", err)
	return 1
}
