// Package release holds signed agent releases and decides which version each
// agent should run.
//
// A release is one agent binary for one OS/architecture and version, stored
// with its size, SHA-256 and ed25519 signature (internal/releasesig) in a
// directory tree: DIR/<os>/<arch>/<version>/{vantage-agent,release.json}.
// The store verifies every signature against the controller's configured
// public key when a release is added, so it never offers agents a binary
// they would refuse. Binaries are served read-only over HTTP (http.go):
// they are not secret, the signature is what agents trust.
//
// Rollouts (rollout.go) pick a desired version per agent group: canaries
// first, then everyone, paused when too many canaries fail.
package release
