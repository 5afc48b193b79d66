// Package releasesig is the signed-release format the controller's release
// store (controller/release) and the agent's updater (agent/update) share:
// what exactly an ed25519 release signature covers, and how keys are written.
//
// A signature covers a canonical message naming the OS, the architecture, the
// version, the size and the SHA-256 of the binary, so a valid signature of
// one release cannot be replayed for another architecture or version, nor
// for a different file. The package uses only the standard library: it is
// linked into the agent, which must stay small.
package releasesig
