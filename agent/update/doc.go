// Package update replaces the running agent binary with a signed release the
// controller offers, and rolls it back when the new binary is not healthy.
//
// Files, all in the directory of the running binary (Exe), which the agent
// must be able to write:
//
//	vantage-agent        the known-good binary: what the service manager starts
//	vantage-agent.next   a downloaded, verified candidate on trial
//	vantage-agent.prev   the binary before the last committed update
//	update-state.json    the trial in progress and the versions that failed
//
// An update runs in three steps. Offer downloads the release (size-capped,
// with a timeout), checks size, SHA-256 and the ed25519 signature with the
// pinned public key (internal/releasesig), writes it as .next and records the
// trial; the agent then stops cleanly (the spool is closed and synced) and
// execs .next in place of itself: syscall.Exec keeps the PID, so systemd and
// procd keep supervising the same service, and the new process replays the
// spool. The candidate commits when it reports healthy (Healthy: the first
// result batch JetStream acknowledged, or the first remote config revision
// read) before the deadline: the known-good binary is hard-linked to .prev
// and .next is renamed over Exe, one atomic rename.
//
// Rollback needs no working candidate: Exe is replaced only on commit, so
// when the candidate crashes or is killed before it committed, the service
// manager restarts Exe, the old binary, which finds the unfinished trial and
// records the version as failed. A candidate that runs but is not healthy by
// the deadline records the failure itself and execs Exe. A failed version is
// never tried again, and the status (Status) tells the controller, which
// pauses the rollout.
//
// Packaged installs run the agent from such a directory (the systemd unit's
// /var/lib/vantage-agent/bin, OpenWrt's /usr/lib/vantage-agent): Seed, the
// `vantage-agent install-self DIR` command the unit runs first, copies the
// packaged binary there unless the binary there is the same or a newer
// version, so a package upgrade wins over an older self-update and a
// restart never undoes a newer one.
package update
