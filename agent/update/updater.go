package update

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/vantage-net/vantage/agent/remote"
	"github.com/vantage-net/vantage/internal/clock"
	prometheus "github.com/vantage-net/vantage/internal/metrics"
	"github.com/vantage-net/vantage/internal/releasesig"
)

// Release is the release the controller offers (the remote config's
// release block).
type Release struct {
	Version, URL, SHA256, Signature string
	Size                            int64
}

// Options configure an Updater.
type Options struct {
	// PublicKey verifies releases; nil refuses every update.
	PublicKey ed25519.PublicKey
	// Version is the running binary's buildinfo.Version; OS and Arch its
	// target as releases name it (Target()).
	Version, OS, Arch string
	// Exe is the known-good binary's path (os.Executable at first start);
	// its directory must be writable by the agent.
	Exe string
	// Client downloads releases; its Timeout bounds a download.
	Client *http.Client
	// MaxBytes caps a download.
	MaxBytes int64
	// HealthDeadline is how long a new binary has to report healthy.
	HealthDeadline time.Duration
	// Restart asks the agent to stop cleanly (probes stopped, spool
	// closed) so the caller can Exec what PendingExec names.
	Restart func()
	// Report is called with the status after every change (the agent
	// publishes it with its config status).
	Report func(remote.UpdateStatus)
	Clock  clock.Clock
	Logger *slog.Logger
	// Registry takes vantage_agent_update_* metrics; nil for none.
	Registry prometheus.Registerer
}

// Updater downloads, verifies, starts and commits or rolls back releases.
type Updater struct {
	o         Options
	statePath string
	next      string
	m         *metrics
	// writable is whether the binary's directory took a file at start: an
	// agent that cannot swap its binary (a package's /usr/bin) says no
	// target, so rollouts leave it out instead of counting its refusals.
	writable bool

	mu      sync.Mutex
	st      state
	status  remote.UpdateStatus
	busy    bool   // a download is running
	pending string // binary to exec once the agent stopped
	onTrial bool   // this process is a candidate not yet committed
	timer   clock.Timer
	// retryAt and backoff space out retries of a download that failed for
	// a passing reason, so a fleet does not hammer a controller that is
	// down: 1 minute doubling to 30.
	retryAt time.Time
	backoff time.Duration
	// stopTimer ends the deadline goroutine once the trial is decided.
	stopTimer chan struct{}
}

// New returns an Updater for the binary at o.Exe.
func New(o Options) *Updater {
	u := &Updater{o: o, statePath: filepath.Join(filepath.Dir(o.Exe), "update-state.json"),
		next: o.Exe + ".next", m: newMetrics(o.Registry), writable: canWrite(filepath.Dir(o.Exe))}
	u.status = remote.UpdateStatus{State: "idle", Version: o.Version}
	return u
}

// Start looks at the state left by the previous process, before the agent
// runs: a candidate (this process runs the trial's version) arms the health
// deadline; the known-good binary finding an unfinished trial means the
// candidate died before it committed, and rolls it back.
func (u *Updater) Start() error {
	st, err := loadState(u.statePath)
	if err != nil {
		return fmt.Errorf("update state %s: %w", u.statePath, err)
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.st = st
	u.status.Failed = slices.Clone(st.Failed)
	t := st.Trial
	switch {
	case t == nil:
		_ = os.Remove(u.next) // a download the previous process did not finish
	case t.To == u.o.Version:
		u.onTrial = true
		u.status.State, u.status.Target = "trial", t.To
		u.o.Logger.Info("update: running the new version on trial", "from", t.From, "version", t.To, "deadline", u.o.HealthDeadline)
		u.timer = u.o.Clock.NewTimer(u.o.HealthDeadline)
		u.stopTimer = make(chan struct{})
		go func(c <-chan time.Time, stop chan struct{}) {
			select {
			case <-c:
				u.deadline()
			case <-stop:
			}
		}(u.timer.C(), u.stopTimer)
	default:
		u.o.Logger.Error("update: the new version stopped before it reported healthy; rolled back", "version", t.To, "running", u.o.Version)
		u.rollbackLocked(t.To, "exited before reporting healthy")
	}
	u.reportLocked()
	return nil
}

// Healthy tells a candidate it works (a result batch acknowledged, a config
// revision read): it commits. Outside a trial it does nothing.
func (u *Updater) Healthy() {
	u.mu.Lock()
	defer u.mu.Unlock()
	if !u.onTrial {
		return
	}
	u.onTrial = false
	if u.timer != nil {
		u.timer.Stop()
		close(u.stopTimer)
	}
	if err := u.commit(); err != nil {
		// Running, healthy, but the swap failed: roll back rather than
		// leave a binary the service manager would not start again.
		u.o.Logger.Error("update: commit failed; rolling back", "err", err)
		u.rollbackLocked(u.o.Version, "commit: "+err.Error())
		u.pending = u.o.Exe
		u.reportLocked()
		go u.o.Restart()
		return
	}
	u.m.outcomes.WithLabelValues("committed").Inc()
	u.status.State, u.status.Error = "committed", ""
	u.o.Logger.Info("update: new version healthy; committed", "version", u.o.Version)
	u.reportLocked()
}

// commit keeps the known-good binary as .prev and renames the candidate
// over Exe: Exe is the old or the new binary at every instant.
func (u *Updater) commit() error {
	prev := u.o.Exe + ".prev"
	_ = os.Remove(prev)
	if err := os.Link(u.o.Exe, prev); err != nil {
		return err
	}
	if err := os.Rename(u.next, u.o.Exe); err != nil {
		return err
	}
	u.st.Trial = nil
	return saveState(u.statePath, u.st)
}

// deadline fires when a candidate has not reported healthy in time.
func (u *Updater) deadline() {
	u.mu.Lock()
	defer u.mu.Unlock()
	if !u.onTrial {
		return
	}
	u.onTrial = false
	u.o.Logger.Error("update: new version not healthy in time; rolling back", "version", u.o.Version, "deadline", u.o.HealthDeadline)
	u.rollbackLocked(u.o.Version, fmt.Sprintf("not healthy within %s", u.o.HealthDeadline))
	u.pending = u.o.Exe
	u.reportLocked()
	go u.o.Restart()
}

// rollbackLocked forgets the trial, remembers version as failed and drops
// the candidate; Exe, never replaced, is the good binary.
func (u *Updater) rollbackLocked(version, why string) {
	u.st.Trial = nil
	u.st.fail(version)
	if err := saveState(u.statePath, u.st); err != nil {
		u.o.Logger.Error("update: state not saved", "err", err)
	}
	_ = os.Remove(u.next)
	u.m.outcomes.WithLabelValues("rolled_back").Inc()
	u.status = remote.UpdateStatus{State: "rolled_back", Version: u.status.Version, Target: version, Error: why, Failed: slices.Clone(u.st.Failed)}
}

// Offer hands the updater the release the controller wants; it downloads
// and starts it in the background when it is new, not failed before, and
// the updater is not busy.
func (u *Updater) Offer(ctx context.Context, r *Release) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if r == nil || r.Version == u.o.Version || u.busy || u.onTrial || u.pending != "" || slices.Contains(u.st.Failed, r.Version) ||
		u.o.Clock.Now().Before(u.retryAt) {
		return
	}
	if u.o.PublicKey == nil {
		if u.status.State != "refused" || u.status.Target != r.Version { // once per version, not per heartbeat
			u.refuseLocked(r.Version, "no update.public_key in the agent config: updates are refused", "no_key")
		}
		return
	}
	if !u.writable {
		if u.status.State != "refused" || u.status.Target != r.Version {
			u.refuseLocked(r.Version, "the agent cannot write next to its binary "+u.o.Exe+" (see README, Installing agents)", "not_writable")
		}
		return
	}
	u.busy = true
	u.status.State, u.status.Target, u.status.Error = "downloading", r.Version, ""
	u.reportLocked()
	go func() {
		err := u.fetch(ctx, *r)
		u.mu.Lock()
		defer u.mu.Unlock()
		u.busy = false
		var ve *verifyError
		switch {
		case err == nil:
			u.backoff, u.retryAt = 0, time.Time{}
			u.st.Trial = &trial{From: u.o.Version, To: r.Version, Started: u.o.Clock.Now()}
			if err := saveState(u.statePath, u.st); err != nil {
				u.st.Trial = nil
				u.refuseLocked(r.Version, "state: "+err.Error(), "io")
				_ = os.Remove(u.next)
				return
			}
			u.pending = u.next
			u.status.State = "restarting"
			u.o.Logger.Info("update: release verified; restarting into it", "version", r.Version)
			u.reportLocked()
			go u.o.Restart()
		case errors.As(err, &ve):
			// Never executed; remembered so it is not fetched again.
			u.st.fail(r.Version)
			_ = saveState(u.statePath, u.st)
			u.refuseLocked(r.Version, err.Error(), ve.reason)
		default:
			// Transient (network, disk): retried after a backoff.
			u.backoff = min(max(2*u.backoff, time.Minute), 30*time.Minute)
			u.retryAt = u.o.Clock.Now().Add(u.backoff)
			u.refuseLocked(r.Version, err.Error(), "download")
		}
	}()
}

func (u *Updater) refuseLocked(version, why, reason string) {
	u.m.refused.WithLabelValues(reason).Inc()
	u.o.Logger.Error("update: release refused", "version", version, "reason", reason, "err", why)
	u.status = remote.UpdateStatus{State: "refused", Version: u.o.Version, Target: version, Error: why, Failed: slices.Clone(u.st.Failed)}
	u.reportLocked()
}

func (u *Updater) reportLocked() {
	if u.o.Report != nil {
		u.o.Report(u.statusLocked())
	}
}

func (u *Updater) statusLocked() remote.UpdateStatus {
	s := u.status
	s.Failed = slices.Clone(u.st.Failed)
	if u.o.PublicKey != nil && u.writable {
		// Without a key, or a directory it can write, the agent says no
		// target: rollouts leave it out rather than pick, as a canary, a
		// box that will refuse.
		s.OS, s.Arch = u.o.OS, u.o.Arch
	}
	return s
}

// Status is the updater's current state.
func (u *Updater) Status() remote.UpdateStatus {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.statusLocked()
}

// PendingExec names the binary to exec once the agent stopped ("" for none).
func (u *Updater) PendingExec() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.pending
}

// ExecFailed records that exec of PendingExec failed: a candidate is
// rolled back (the process exits and the service manager starts Exe).
func (u *Updater) ExecFailed(err error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.pending == u.next && u.st.Trial != nil {
		u.rollbackLocked(u.st.Trial.To, "exec: "+err.Error())
	}
	u.pending = ""
}

// verifyError is a release that downloaded but is not what was signed.
type verifyError struct {
	reason string
	err    error
}

func (e *verifyError) Error() string { return e.err.Error() }

// fetch downloads r to .next and verifies it; on any error .next is gone.
func (u *Updater) fetch(ctx context.Context, r Release) (err error) {
	if r.Size <= 0 || r.Size > u.o.MaxBytes {
		return &verifyError{"size", fmt.Errorf("release %s: size %d is outside 1..%d (update.max_bytes)", r.Version, r.Size, u.o.MaxBytes)}
	}
	meta := releasesig.Meta{OS: u.o.OS, Arch: u.o.Arch, Version: r.Version, Size: r.Size, SHA256: r.SHA256}
	// The signature is checked before a byte is downloaded too: a release
	// signed for another key, arch or version is refused without fetching.
	if err := releasesig.Verify(u.o.PublicKey, meta, r.Signature); err != nil {
		return &verifyError{"signature", fmt.Errorf("release %s for %s/%s: %w", r.Version, u.o.OS, u.o.Arch, err)}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.URL, nil)
	if err != nil {
		return &verifyError{"url", fmt.Errorf("release %s: url: %w", r.Version, err)}
	}
	// The file first: a binary directory the agent cannot write (a
	// package's /usr/bin) fails here, before anything is downloaded.
	tmp, err := os.CreateTemp(filepath.Dir(u.o.Exe), ".download-")
	if err != nil {
		return fmt.Errorf("release %s: the agent cannot write next to its binary (see README, Installing agents): %w", r.Version, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	resp, err := u.o.Client.Do(req)
	if err != nil {
		return fmt.Errorf("release %s: download: %w", r.Version, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("release %s: download: HTTP %s", r.Version, resp.Status)
	}
	sum, n, derr := releasesig.Digest(io.TeeReader(resp.Body, tmp), r.Size)
	cerr := tmp.Close()
	switch {
	case errors.Is(derr, releasesig.ErrTooLarge):
		return &verifyError{"size", fmt.Errorf("release %s: more than the signed %d bytes", r.Version, r.Size)}
	case derr != nil:
		return fmt.Errorf("release %s: download: %w", r.Version, derr)
	case cerr != nil:
		return cerr
	case n != r.Size:
		return fmt.Errorf("release %s: download: %d of %d bytes", r.Version, n, r.Size)
	case sum != r.SHA256:
		return &verifyError{"checksum", fmt.Errorf("release %s: sha256 %s, signed %s: the binary was altered", r.Version, sum, r.SHA256)}
	}
	if err = os.Chmod(tmp.Name(), 0o755); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), u.next)
}

// canWrite tells whether a file can be made in dir (permissions, a
// read-only mount), by making and removing one.
func canWrite(dir string) bool {
	f, err := os.CreateTemp(dir, ".write-test-")
	if err != nil {
		return false
	}
	_ = f.Close()
	_ = os.Remove(f.Name())
	return true
}
