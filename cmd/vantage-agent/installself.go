package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vantage-net/vantage/agent/update"
	"github.com/vantage-net/vantage/internal/buildinfo"
)

// installSelfCmd is `vantage-agent install-self DIR`: the service unit's
// first step. It puts this (packaged) binary into DIR, where self-update
// can replace it, unless DIR already holds the same or a newer version
// (update.Seed), so a package upgrade wins over an older self-update and a
// restart never undoes a newer one.
func installSelfCmd(args []string) int {
	if len(args) != 1 || args[0] == "" || args[0][0] == '-' {
		fmt.Fprintln(os.Stderr, "usage: vantage-agent install-self DIR   (installs this binary as DIR/vantage-agent unless DIR has the same or a newer version)")
		return 2
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "vantage-agent install-self: %v\n", err)
		return 1
	}
	dir, err := filepath.Abs(args[0])
	if err != nil {
		fmt.Fprintf(os.Stderr, "vantage-agent install-self: %v\n", err)
		return 1
	}
	if filepath.Join(dir, update.BinaryName) == self {
		fmt.Printf("vantage-agent install-self: already running from %s\n", dir)
		return 0
	}
	why, err := update.Seed(context.Background(), update.SeedOptions{Src: self, SrcVersion: buildinfo.Version, Dir: dir})
	if err != nil {
		fmt.Fprintf(os.Stderr, "vantage-agent install-self: %v\n", err)
		return 1
	}
	if why == "" {
		fmt.Printf("vantage-agent install-self: kept %s (same or newer than %s)\n", filepath.Join(dir, update.BinaryName), buildinfo.Version)
		return 0
	}
	fmt.Printf("vantage-agent install-self: installed %s %s: %s\n", filepath.Join(dir, update.BinaryName), buildinfo.Version, why)
	return 0
}
